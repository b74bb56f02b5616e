#pragma once
// One open SQLite database file: its single group-commit writer, its reader pool and the signal
// raised when outbox events commit. The store, outbox and delivery views share it.
#include <memory>
#include <string>

#include "storage/sqlite/event_signal.hpp"
#include "storage/sqlite/group_commit.hpp"
#include "storage/sqlite/reader_pool.hpp"

namespace ninja::storage::sqlite {

struct SqliteOptions {
  std::string path;
  size_t readers = 8;      // read connections; match the number of threads that read
  size_t max_batch = 256;  // writes per group commit
};

class SqliteFile {
 public:
  // Opens the file, applies pending migrations and starts the writer.
  explicit SqliteFile(const SqliteOptions& options);

  GroupCommitWriter& writer() { return *writer_; }
  ReaderPool& readers() { return *readers_; }
  EventSignal& events_committed() { return events_committed_; }

  // Queues `work` (which computes an outcome) for the next group commit; `done` gets the outcome
  // once it is durable, or a default outcome and the error.
  template <class T>
  void submit(std::function<T(Database&)> work, std::function<void(T, std::exception_ptr)> done) {
    auto outcome = std::make_shared<T>();
    writer_->submit([work = std::move(work), outcome](Database& db) { *outcome = work(db); },
                    [done = std::move(done), outcome](std::exception_ptr error) {
                      done(error ? T{} : std::move(*outcome), error);
                    });
  }

  // The blocking form: returns the outcome once committed, rethrows errors.
  template <class T>
  T write(std::function<T(Database&)> work) {
    T outcome{};
    writer_->write([&](Database& db) { outcome = work(db); });
    return outcome;
  }

 private:
  EventSignal events_committed_;
  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<ReaderPool> readers_;
};

// Opens a write connection with the durability settings every writer of the file must use.
std::unique_ptr<Database> open_writer(const std::string& path);

}  // namespace ninja::storage::sqlite
