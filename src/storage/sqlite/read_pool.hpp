#pragma once
// Where SQLite reads run: a few threads, each with its own read-only connection (WAL lets them
// read while the writer commits). A read is local CPU work, not a wait on a server, so a pool near
// the core count serves every request in flight without a thread each.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/database.hpp"

namespace ninja::storage::sqlite {

class ReadPool {
 public:
  ReadPool(const std::string& path, size_t threads);
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;
  ~ReadPool();  // runs what is queued, then stops

  // Runs `read` on one of the pool's threads with that thread's connection.
  void submit(std::function<void(Database&)> read);

 private:
  void run(Database& db);

  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<std::function<void(Database&)>> queue_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Database>> connections_;
  std::vector<std::thread> threads_;
};

}  // namespace ninja::storage::sqlite
