#pragma once
// Read connections for worker threads. WAL lets them read while the writer commits.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/sqlite/database.hpp"

namespace ninja::storage::sqlite {

class ReaderPool {
 public:
  ReaderPool(const std::string& path, size_t size);

  // Runs `read` on a free connection, waiting for one if all are busy.
  template <class F>
  auto with_connection(F&& read) {
    Lease lease(*this);
    return read(*lease.db);
  }

 private:
  struct Lease {
    explicit Lease(ReaderPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ReaderPool& pool;
    std::unique_ptr<Database> db;
  };
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Database>> idle_;
};

}  // namespace ninja::storage::sqlite
