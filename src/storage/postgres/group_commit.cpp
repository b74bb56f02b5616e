#include "storage/postgres/group_commit.hpp"

#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

GroupCommit::GroupCommit(PgPool& pool, GroupCommitOptions options, std::vector<Statement> epilogue)
    : pool_(pool), options_(options), epilogue_(std::move(epilogue)) {}

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
  pump();
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
}

uint64_t GroupCommit::segments() const {
  std::lock_guard lock(mutex_);
  return segments_;
}

void GroupCommit::pump() {
  // Batches are taken under the lock and sent outside it: the pool may complete inline.
  for (;;) {
    std::vector<Write> batch;
    std::vector<Write> expired;
    {
      std::lock_guard lock(mutex_);
      if (closed_ || queue_.empty()) return;
      const bool alone = queue_.front().alone;
      if (!alone && in_flight_ >= options_.max_in_flight) return;
      const auto oldest_allowed = Clock::now() - options_.queue_timeout;
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
    const auto timeout = std::make_exception_ptr(PgUnavailable("postgres: a write waited too long for its commit"));
    for (auto& write : expired) write.done({}, timeout);
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
  pool_.execute_segment(std::move(statements), [this, shared](std::vector<PgResult> results, std::exception_ptr error) {
    on_result(std::move(*shared), std::move(results), std::move(error));
  });
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

void GroupCommit::on_result(std::vector<Write> batch, std::vector<PgResult> results, std::exception_ptr error) {
  const Failure failure = classify(error);
  std::vector<Write> again;
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    if (failure == Failure::none) ++segments_;
    if (!closed_ && failure == Failure::retryable && batch.front().attempts < options_.deadlock_retries) {
      for (auto& write : batch) ++write.attempts;
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      batch.clear();
    } else if (!closed_ && failure != Failure::none && failure != Failure::passing && batch.size() > 1) {
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
