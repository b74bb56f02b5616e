#pragma once
// Group commit for the store's writes: requests' writes queue here and go out as ONE segment (one
// transaction, one round trip, one WAL flush) for everything queued while the previous segment was
// committing. N concurrent creates then cost one fsync, not N.
//
// When a segment commits, the clients it answers send their next writes a moment later; sending
// the first of them alone would cost a whole flush for one write. So the next segment waits until
// as many writes are queued as the last segment answered, or until the oldest has waited `gather`
// (a fraction of a flush), whichever comes first.
//
// The writes are built so that an expected conflict (a taken email, a replayed key, an unknown
// user) does not raise: it only changes what its statements return. What does raise is
// unexpected (a bad value, a duplicate id) or passing (a deadlock): then
//   - a deadlock or serialization failure runs the batch again, a few times;
//   - any other SQL error splits the batch in two halves that run again, and so on: only the write
//     that caused it fails, the others commit, and one bad write among n costs about 2·log2(n)
//     extra segments rather than n;
//   - PgUnavailable (connection lost, timeout) fails the whole batch: whether it committed is
//     unknown, which idempotency keys exist for.
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/postgres/pg_pool.hpp"

namespace ninja::storage::postgres {

struct GroupCommitOptions {
  size_t max_batch = 128;    // writes per segment
  size_t max_in_flight = 1;  // segments committing at once: one, full, did as well as two here
  std::chrono::microseconds gather{1000};
  int deadlock_retries = 3;
  std::chrono::milliseconds queue_timeout{10000};  // a write queued longer fails with PgUnavailable
};

class GroupCommit : public std::enable_shared_from_this<GroupCommit> {
 public:
  // `epilogue` ends every segment (the outbox NOTIFY); its results are not handed to anyone.
  // Runs on `loop`, one of the pool's loops (its first by default), whose connections carry its
  // segments; create it with std::make_shared.
  GroupCommit(PgPool& pool, boost::asio::io_context& loop, GroupCommitOptions options, std::vector<Statement> epilogue);
  GroupCommit(PgPool& pool, GroupCommitOptions options, std::vector<Statement> epilogue)
      : GroupCommit(pool, pool.io(), options, std::move(epilogue)) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues one write: `statements` run in order inside a coming segment, and `done` gets their
  // results (one per statement) after the commit, or the error. On the pool's thread, or inline
  // when the queue is closed.
  void submit(std::vector<Statement> statements, SegmentDone done);

  // Fails what is queued with PgUnavailable and refuses further writes. Writes in flight end as
  // the pool ends them, with or without this object.
  void close();

  uint64_t segments() const;  // committed segments so far (statistics, tests)

 private:
  struct Write {
    std::vector<Statement> statements;
    SegmentDone done;
    Clock::time_point queued;
  };
  struct Batch {
    std::vector<Write> writes;
    int attempts = 0;    // deadlocks so far
    bool retry = false;  // runs again as it is, after a failure
  };
  void schedule_pump();  // any thread
  void pump();           // the pool's thread
  void send(Batch batch);
  void on_result(Batch& batch, std::vector<PgResult> results, const std::exception_ptr& error);
  static void fail_all(std::vector<Write>& writes, const std::exception_ptr& error);

  PgPool& pool_;
  boost::asio::io_context& io_;
  const GroupCommitOptions options_;
  const std::vector<Statement> epilogue_;
  boost::asio::steady_timer gather_timer_;  // the pool's thread only
  bool gather_armed_ = false;               // the pool's thread only
  // The pool's thread only: how many writes to wait for (those the last segment answered, and those
  // already waiting then), and since when.
  size_t expected_ = 1;
  Clock::time_point last_commit_;
  mutable std::mutex mutex_;
  std::deque<Write> queue_;
  std::deque<Batch> retries_;  // run before new writes, each as it is
  size_t in_flight_ = 0;
  bool pump_posted_ = false;
  bool closed_ = false;
  uint64_t segments_ = 0;
};

}  // namespace ninja::storage::postgres
