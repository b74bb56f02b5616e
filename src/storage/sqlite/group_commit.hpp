#pragma once
// Group commit: one writer thread owns the only write connection and commits whatever writes are
// queued as ONE transaction, so N concurrent creates cost one fsync instead of N. Each write runs in
// its own savepoint: a write that throws is rolled back alone and its caller gets the exception;
// the rest of the batch commits. A caller hears of its write (through `done`) once it is durable.
// A commit the disk cannot take (full) fails the whole batch with StorageFull, which callers see as
// util::Unavailable; nothing of that batch was acknowledged, so nothing acknowledged is lost, and the
// next batch tries again: the writer heals by itself when space returns.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/sqlite/database.hpp"
#include "storage/sqlite/write_health.hpp"

namespace ninja::storage::sqlite {

class GroupCommitWriter {
 public:
  // `health` hears of every commit and must outlive the writer.
  GroupCommitWriter(std::unique_ptr<Database> db, size_t max_batch, WriteHealth& health);
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
  ~GroupCommitWriter();  // commits what is queued, then stops

  // Called once the write's batch is committed (error null) or the write failed: with what `work`
  // threw, or a SqliteError if the commit itself failed. Runs on the writer thread: keep it short.
  using Done = std::function<void(std::exception_ptr error)>;

  // Runs `work` inside the next batch; `done` follows the commit.
  void submit(std::function<void(Database&)> work, Done done);

  uint64_t batches() const;  // committed transactions so far (for tests and metrics)

 private:
  struct Job {
    std::function<void(Database&)> work;
    Done done;
    std::exception_ptr error;
  };
  void loop();
  void commit_batch(std::deque<Job>& batch);
  // Tells health_ how the batch went; `changed`: the commit wrote rows.
  void report(const std::deque<Job>& batch, const std::exception_ptr& batch_error, bool changed);

  std::unique_ptr<Database> db_;
  const size_t max_batch_;
  WriteHealth& health_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  uint64_t batches_ = 0;
  std::thread thread_;
};

}  // namespace ninja::storage::sqlite
