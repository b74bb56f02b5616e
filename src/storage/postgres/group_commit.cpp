#include "storage/postgres/group_commit.hpp"

#include <boost/asio/post.hpp>

#include <future>

#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

namespace asio = boost::asio;

GroupCommit::GroupCommit(PgPool& pool, GroupCommitOptions options, std::vector<Statement> epilogue)
    : pool_(pool), options_(options), epilogue_(std::move(epilogue)), gather_timer_(pool.io()) {}

void GroupCommit::submit(std::vector<Statement> statements, SegmentDone done) {
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      queue_.push_back(Write{std::move(statements), std::move(done), Clock::now()});
      queued = true;
    }
  }
  if (!queued) {
    done({}, std::make_exception_ptr(PgUnavailable("postgres: the store is shutting down")));
    return;
  }
  schedule_pump();
}

void GroupCommit::schedule_pump() {
  {
    std::lock_guard lock(mutex_);
    if (pump_posted_ || closed_) return;
    pump_posted_ = true;
  }
  asio::post(pool_.io(), [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      {
        std::lock_guard lock(self->mutex_);
        self->pump_posted_ = false;
      }
      self->pump();
    }
  });
}

void GroupCommit::close() {
  std::deque<Write> queued;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    queued.swap(queue_);
  }
  const auto error = std::make_exception_ptr(PgUnavailable("postgres: the store is shutting down"));
  for (auto& write : queued) write.done({}, error);
  // The timer belongs to the pool's thread: stop it there, and wait, so this object may go next.
  if (pool_.io().get_executor().running_in_this_thread() || pool_.io().stopped()) {
    gather_timer_.cancel();
    return;
  }
  std::promise<void> stopped;
  asio::post(pool_.io(), [this, &stopped] {
    gather_timer_.cancel();
    stopped.set_value();
  });
  stopped.get_future().wait();
}

uint64_t GroupCommit::segments() const {
  std::lock_guard lock(mutex_);
  return segments_;
}

void GroupCommit::pump() {
  for (;;) {
    std::vector<Write> batch;
    std::vector<Write> expired;
    {
      std::lock_guard lock(mutex_);
      if (closed_ || queue_.empty()) return;
      const bool alone = queue_.front().alone;
      if (!alone && in_flight_ >= options_.max_in_flight) return;
      const auto now = Clock::now();
      const auto gather_until = std::max(queue_.front().queued, last_commit_) + options_.gather;
      if (!alone && queue_.size() < std::min(expected_, options_.max_batch) && gather_until > now) {
        // Gather: more writes are on their way. The timer pumps again when the wait is over.
        if (!gather_armed_) {
          gather_armed_ = true;
          gather_timer_.expires_at(gather_until);
          gather_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            if (ec) return;
            if (auto self = weak.lock()) {
              self->gather_armed_ = false;
              self->pump();
            }
          });
        }
        return;
      }
      const auto oldest_allowed = now - options_.queue_timeout;
      while (!queue_.empty() && batch.size() < (alone ? 1 : options_.max_batch) && queue_.front().alone == alone) {
        Write& next = queue_.front();
        if (next.queued < oldest_allowed) {
          expired.push_back(std::move(next));
        } else {
          batch.push_back(std::move(next));
        }
        queue_.pop_front();
      }
      if (!batch.empty()) ++in_flight_;
    }
    fail_all(expired, std::make_exception_ptr(PgUnavailable("postgres: a write waited too long for its commit")));
    if (!batch.empty()) send(std::move(batch));
  }
}

void GroupCommit::send(std::vector<Write> batch) {
  std::vector<Statement> statements;
  size_t count = epilogue_.size();
  for (const auto& write : batch) count += write.statements.size();
  statements.reserve(count);
  for (const auto& write : batch) {
    for (const auto& statement : write.statements) statements.push_back(statement);
  }
  for (const auto& statement : epilogue_) statements.push_back(statement);
  auto shared = std::make_shared<std::vector<Write>>(std::move(batch));
  pool_.execute_segment(std::move(statements), [weak = weak_from_this(), shared](std::vector<PgResult> results,
                                                                                 std::exception_ptr error) {
    if (auto self = weak.lock()) return self->on_result(*shared, std::move(results), std::move(error));
    // The store is gone (shutting down): the writes still get their answer.
    fail_all(*shared, error ? error : std::make_exception_ptr(PgUnavailable("postgres: the store is shutting down")));
  });
}

void GroupCommit::fail_all(std::vector<Write>& batch, const std::exception_ptr& error) {
  for (auto& write : batch) write.done({}, error);
}

namespace {
enum class Failure { none, passing, retryable, write };
Failure classify(const std::exception_ptr& error) {
  if (!error) return Failure::none;
  try {
    std::rethrow_exception(error);
  } catch (const PgSqlError& e) {
    return e.is_retryable() ? Failure::retryable : Failure::write;
  } catch (...) {
    return Failure::passing;
  }
}
}  // namespace

void GroupCommit::on_result(std::vector<Write>& batch, std::vector<PgResult> results, std::exception_ptr error) {
  const Failure failure = classify(error);
  {
    std::lock_guard lock(mutex_);
    // The writers this segment answers come back soon, to join those already waiting.
    if (!batch.front().alone) {
      expected_ = batch.size() + queue_.size();
      last_commit_ = Clock::now();
    }
    --in_flight_;
    if (failure == Failure::none) ++segments_;
    if (!closed_ && failure == Failure::retryable && batch.front().attempts < options_.deadlock_retries) {
      for (auto& write : batch) ++write.attempts;
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      batch.clear();
    } else if (!closed_ && failure == Failure::write && batch.size() > 1) {
      // One write spoiled the transaction: every write of the batch runs again alone, in order.
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
        it->alone = true;
        queue_.push_front(std::move(*it));
      }
      batch.clear();
    }
  }
  size_t next = 0;
  for (auto& write : batch) {
    if (error) {
      write.done({}, error);
      continue;
    }
    std::vector<PgResult> own;
    own.reserve(write.statements.size());
    for (size_t i = 0; i < write.statements.size(); ++i) own.push_back(std::move(results[next++]));
    write.done(std::move(own), nullptr);
  }
  pump();
}

}  // namespace ninja::storage::postgres
