#include "storage/postgres/group_commit.hpp"

#include <boost/asio/post.hpp>

#include <future>

#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

namespace asio = boost::asio;

GroupCommit::GroupCommit(PgPool& pool, asio::io_context& loop, GroupCommitOptions options,
                         std::vector<Statement> epilogue)
    : pool_(pool), io_(loop), options_(options), epilogue_(std::move(epilogue)), gather_timer_(loop) {}

void GroupCommit::submit(std::vector<Statement> statements, SegmentDone done) {
  {
    std::unique_lock lock(mutex_);
    if (closed_) {
      lock.unlock();
      done({}, std::make_exception_ptr(PgUnavailable("postgres: the store is shutting down")));
      return;
    }
    queue_.push_back(Write{std::move(statements), std::move(done), Clock::now()});
  }
  schedule_pump();
}

void GroupCommit::schedule_pump() {
  {
    std::lock_guard lock(mutex_);
    if (pump_posted_ || closed_) return;
    pump_posted_ = true;
  }
  asio::post(io_, [weak = weak_from_this()] {
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
  std::deque<Batch> retries;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    queued.swap(queue_);
    retries.swap(retries_);
  }
  const auto error = std::make_exception_ptr(PgUnavailable("postgres: the store is shutting down"));
  for (auto& write : queued) write.done({}, error);
  for (auto& batch : retries) fail_all(batch.writes, error);
  // The timer belongs to the pool's thread: stop it there, and wait, so this object may go next.
  if (io_.get_executor().running_in_this_thread() || io_.stopped()) {
    gather_timer_.cancel();
    return;
  }
  std::promise<void> stopped;
  asio::post(io_, [this, &stopped] {
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
    Batch batch;
    std::vector<Write> expired;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      if (!retries_.empty()) {
        batch = std::move(retries_.front());
        retries_.pop_front();
      } else {
        if (queue_.empty() || in_flight_ >= options_.max_in_flight) return;
        const auto now = Clock::now();
        const auto gather_until = std::max(queue_.front().queued, last_commit_) + options_.gather;
        if (queue_.size() < std::min(expected_, options_.max_batch) && gather_until > now) {
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
        while (!queue_.empty() && batch.writes.size() < options_.max_batch) {
          (queue_.front().queued < oldest_allowed ? expired : batch.writes).push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      if (!batch.writes.empty()) ++in_flight_;
    }
    fail_all(expired, std::make_exception_ptr(PgUnavailable("postgres: a write waited too long for its commit")));
    if (!batch.writes.empty()) send(std::move(batch));
  }
}

void GroupCommit::send(Batch batch) {
  std::vector<Statement> statements;
  size_t count = epilogue_.size();
  for (const auto& write : batch.writes) count += write.statements.size();
  statements.reserve(count);
  for (const auto& write : batch.writes) {
    for (const auto& statement : write.statements) statements.push_back(statement);
  }
  for (const auto& statement : epilogue_) statements.push_back(statement);
  auto shared = std::make_shared<Batch>(std::move(batch));
  pool_.execute_segment(std::move(statements), [weak = weak_from_this(), shared](std::vector<PgResult> results,
                                                                                 const std::exception_ptr& error) {
    if (auto self = weak.lock()) return self->on_result(*shared, std::move(results), error);
    // The store is gone (shutting down): the writes still get their answer.
    fail_all(shared->writes,
             error ? error : std::make_exception_ptr(PgUnavailable("postgres: the store is shutting down")));
  });
}

void GroupCommit::fail_all(std::vector<Write>& writes, const std::exception_ptr& error) {
  for (auto& write : writes) write.done({}, error);
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

void GroupCommit::on_result(Batch& batch, std::vector<PgResult> results, const std::exception_ptr& error) {
  const Failure failure = classify(error);
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    if (!batch.retry) {
      // The writers this segment answers come back soon, to join those already waiting.
      expected_ = batch.writes.size() + queue_.size();
      last_commit_ = Clock::now();
    }
    if (failure == Failure::none) ++segments_;
    if (!closed_ && failure == Failure::retryable && batch.attempts < options_.deadlock_retries) {
      ++batch.attempts;
      batch.retry = true;
      retries_.push_front(std::move(batch));
      batch = Batch{};
    } else if (!closed_ && failure == Failure::write && batch.writes.size() > 1) {
      // One write spoiled the transaction: both halves run again, until the culprit is alone.
      const auto half = static_cast<std::ptrdiff_t>(batch.writes.size() / 2);
      Batch second{
          {std::make_move_iterator(batch.writes.begin() + half), std::make_move_iterator(batch.writes.end())}, 0, true};
      batch.writes.resize(static_cast<size_t>(half));
      Batch first{std::move(batch.writes), 0, true};
      retries_.push_front(std::move(second));
      retries_.push_front(std::move(first));
      batch = Batch{};
    }
  }
  size_t next = 0;
  for (auto& write : batch.writes) {
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
