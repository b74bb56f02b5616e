#include "storage/sqlite/group_commit.hpp"

#include <sqlite3.h>

#include "util/thread_name.hpp"

namespace ninja::storage::sqlite {

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Database> db, size_t max_batch, WriteHealth& health)
    : db_(std::move(db)), max_batch_(max_batch), health_(health), thread_([this] {
        util::name_this_thread("sqlite-writer");
        loop();
      }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void GroupCommitWriter::submit(std::function<void(Database&)> work, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw SqliteError(0, "sqlite: the writer is shutting down");
    queue_.push_back(Job{std::move(work), std::move(done), nullptr});
  }
  wake_.notify_one();
}

uint64_t GroupCommitWriter::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

void GroupCommitWriter::loop() {
  std::deque<Job> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      // Take everything that queued up while the previous batch was being fsync'ed.
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::commit_batch(std::deque<Job>& batch) {
  sqlite3* const handle = db_->handle();
  const int64_t changes_before = sqlite3_total_changes64(handle);
  std::exception_ptr batch_error;
  try {
    db_->query("BEGIN IMMEDIATE").run();
    for (auto& job : batch) {
      db_->query("SAVEPOINT job").run();
      try {
        job.work(*db_);
        db_->query("RELEASE job").run();
      } catch (...) {
        job.error = std::current_exception();
        // SQLITE_FULL and I/O errors may roll the whole transaction back on their own: the jobs
        // before this one are gone too, so the batch fails with this job's error.
        if (sqlite3_get_autocommit(handle) != 0) throw;
        db_->query("ROLLBACK TO job").run();
        db_->query("RELEASE job").run();
      }
    }
    db_->query("COMMIT").run();
  } catch (...) {
    batch_error = std::current_exception();
    if (sqlite3_get_autocommit(handle) == 0) {
      try {
        db_->query("ROLLBACK").run();
      } catch (...) {  // NOLINT(bugprone-empty-catch): the connection rolls back when it can
      }
    }
  }
  report(batch, batch_error, sqlite3_total_changes64(handle) != changes_before);
  {
    std::lock_guard lock(mutex_);
    if (!batch_error) ++batches_;
  }
  batch_error = for_caller(batch_error);
  for (auto& job : batch) job.done(batch_error ? batch_error : for_caller(job.error));
}

void GroupCommitWriter::report(const std::deque<Job>& batch, const std::exception_ptr& batch_error, bool changed) {
  if (batch_error) return health_.failed(classify_write_failure(batch_error));
  // A write the disk refused inside a batch that committed without it (its statement alone rolled back).
  for (const auto& job : batch) {
    if (!job.error) continue;
    const auto cause = classify_write_failure(job.error);
    if (cause == WriteFailure::disk_full || cause == WriteFailure::io) return health_.failed(cause);
  }
  if (changed) health_.wrote();
}

}  // namespace ninja::storage::sqlite
