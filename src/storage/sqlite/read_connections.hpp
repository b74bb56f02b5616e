#pragma once
// Where SQLite reads run: right on the calling thread (an event loop, mostly), with a read-only
// connection of its own for the duration (WAL lets readers read while the writer commits). A read
// is local CPU work on pages in memory, a few microseconds, not a wait on a server: handing it to
// a read thread and back cost more than the read itself (task switches, futex wake-ups, a third
// of the CPU of a GET under load), and holding the loop for it is cheaper than waking another.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/sqlite/database.hpp"

namespace ninja::storage::sqlite {

class ReadConnections {
 public:
  // Opens `keep` connections now; more open while more threads read at once, and those beyond
  // `keep` close when their read ends.
  ReadConnections(std::string path, size_t keep);
  ReadConnections(const ReadConnections&) = delete;
  ReadConnections& operator=(const ReadConnections&) = delete;

  // Runs `read` here with a connection no other thread is using; what it throws propagates.
  void run(const std::function<void(Database&)>& read);

 private:
  std::unique_ptr<Database> open() const;
  std::unique_ptr<Database> take();
  void give_back(std::unique_ptr<Database> db);

  const std::string path_;
  const size_t keep_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Database>> free_;  // the most recently used last: its caches are warm
};

}  // namespace ninja::storage::sqlite
