#pragma once
// One open SQLite database file: its single group-commit writer, its read connections and the
// notices raised when outbox events commit. The store, outbox, delivery and API key views share
// it. Writes are asynchronous: they join the next group commit. Reads run on the caller's thread
// and complete before `read` returns (ReadConnections says why).
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "events/commit_notices.hpp"
#include "storage/sqlite/group_commit.hpp"
#include "storage/sqlite/read_connections.hpp"
#include "storage/sqlite/write_health.hpp"
#include "util/completion.hpp"

namespace ninja::storage::sqlite {

struct SqliteOptions {
  std::string path;
  size_t readers = 4;                        // read connections kept open: the threads that read at once
  size_t max_batch = 256;                    // writes per group commit
  util::MetricsRegistry* metrics = nullptr;  // where write failures are counted; null: nowhere
};

class SqliteFile {
 public:
  // Opens the file, applies pending migrations and starts the writer and the readers.
  explicit SqliteFile(const SqliteOptions& options);

  const std::string& path() const { return path_; }
  GroupCommitWriter& writer() { return *writer_; }
  events::CommitNotices& commits() { return *commits_; }
  const WriteHealth& health() const { return health_; }

  // Runs `work` on a read connection, here and now; `done` gets its result or what it threw, once
  // the connection is given back (so `done` may read again).
  template <class T, class Work>
  void read(Work&& work, util::Completion<T> done) {
    T result{};
    try {
      readers_.run([&](Database& db) { result = work(db); });
    } catch (...) {
      done(T{}, std::current_exception());
      return;
    }
    done(std::move(result), nullptr);
  }

  // Queues `work` (which computes an outcome) for the next group commit; `done` gets the outcome
  // once it is durable, or a default outcome and the error.
  template <class T>
  void submit(std::function<T(Database&)> work, util::Completion<T> done) {
    auto outcome = std::make_shared<T>();
    writer_->submit([work = std::move(work), outcome](Database& db) { *outcome = work(db); },
                    [done = std::move(done), outcome](std::exception_ptr error) {
                      done(error ? T{} : std::move(*outcome), error);
                    });
  }
  // The same for work without an outcome.
  void submit(std::function<void(Database&)> work, util::Done done) {
    writer_->submit(std::move(work), std::move(done));
  }

 private:
  std::string path_;
  std::shared_ptr<events::CommitNotices> commits_ = std::make_shared<events::CommitNotices>();
  WriteHealth health_;  // before writer_, which reports to it
  std::unique_ptr<GroupCommitWriter> writer_;
  ReadConnections readers_;
};

// Opens a write connection with the durability settings every writer of the file must use.
std::unique_ptr<Database> open_writer(const std::string& path);

}  // namespace ninja::storage::sqlite
