#include "storage/postgres/pg_pool.hpp"

#include <boost/asio/post.hpp>

#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "net/event_loops.hpp"
#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

namespace asio = boost::asio;

namespace {
ConnectionSettings settings_for(const PoolOptions& options) {
  if (options.connections == 0) throw std::invalid_argument("postgres: the pool needs at least one connection");
  // describe() parses the string first: a malformed one throws PgStartupError here.
  return ConnectionSettings{options.conninfo,      describe(options.conninfo), options.connect_timeout,
                            options.reconnect_min, options.reconnect_max,      options.log};
}

std::exception_ptr shutting_down() {
  return std::make_exception_ptr(PgUnavailable("postgres: the store is shutting down"));
}
}  // namespace

PgPool::PgPool(PoolOptions options)
    : options_(std::move(options)),
      settings_(settings_for(options_)),
      own_loops_(options_.loops ? nullptr : std::make_unique<net::EventLoops>(1, "pg-pool")),
      loops_(options_.loops ? *options_.loops : *own_loops_),
      shards_(loops_.size()) {
  const size_t count = std::max(options_.connections, loops_.size());
  for (size_t i = 0; i < count; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->loop = i % loops_.size();
    slot->connection = std::make_unique<PipelineConnection>(
        loops_.context(slot->loop), settings_, [this, i](const std::exception_ptr& error) { on_change(i, error); });
    shards_[slot->loop].slots.push_back(i);
    slots_.push_back(std::move(slot));
  }

  // Each connection's first attempt reports here once (see on_change), on its loop's thread.
  struct Startup {
    std::mutex mutex;
    std::promise<void> started;
    size_t waiting = 0;
    std::exception_ptr first_error;
  };
  auto startup = std::make_shared<Startup>();
  startup->waiting = count;
  on_first_attempt_ = [startup](const std::exception_ptr& error) {
    std::lock_guard lock(startup->mutex);
    if (error && !startup->first_error) startup->first_error = error;
    if (--startup->waiting == 0) startup->started.set_value();
  };
  for (size_t loop = 0; loop < shards_.size(); ++loop) {
    asio::post(loops_.context(loop), [this, loop] {
      for (const size_t i : shards_[loop].slots) slots_[i]->connection->open();
    });
  }
  startup->started.get_future().wait();
  if (startup->first_error) {
    shutdown("postgres: startup failed");
    try {
      std::rethrow_exception(startup->first_error);
    } catch (const std::exception& e) {
      throw PgStartupError(e.what());
    }
  }
  if (options_.log) {
    options_.log->info("postgres: {} connections to {} on {} event loops", count, settings_.target, loops_.size());
  }
}

PgPool::~PgPool() { shutdown("postgres: the store is shutting down"); }

size_t PgPool::loops() const { return loops_.size(); }
asio::io_context& PgPool::io(size_t loop) { return loops_.context(loop); }
std::optional<size_t> PgPool::current_loop() const { return loops_.current(); }

void PgPool::close_loop(size_t loop, const std::string& why) {
  for (const size_t i : shards_[loop].slots) slots_[i]->connection->close(why);
}

void PgPool::shutdown(const std::string& why) {
  if (stopping_.exchange(true)) return;
  // A hand-over that saw the pool open is posted before the closes below, so it runs before them.
  while (handing_over_.load() > 0) std::this_thread::yield();
  // Each loop closes its connections (failing what they carry), then waits, behind what the closes
  // queued (cancelled waits, timers), for its marker: after it nothing on the loops refers to the
  // pool, and the loops, which may be shared, live on.
  std::vector<std::future<void>> closed;
  for (size_t loop = 0; loop < shards_.size(); ++loop) {
    asio::io_context& io = loops_.context(loop);
    if (io.stopped()) {  // nothing runs it any more: nothing can race with closing here
      close_loop(loop, why);
      continue;
    }
    auto marker = std::make_shared<std::promise<void>>();
    closed.push_back(marker->get_future());
    asio::post(io, [this, loop, why, marker, &io] {
      close_loop(loop, why);
      asio::post(io, [marker] { marker->set_value(); });
    });
  }
  for (auto& future : closed) future.wait();
  if (own_loops_) own_loops_->stop();
}

void PgPool::on_change(size_t index, const std::exception_ptr& error) {
  Slot& slot = *slots_[index];
  const bool up = !error;
  if (up != slot.was_up) {
    slot.was_up = up;
    slot.up.store(up, std::memory_order_relaxed);
    if (up) {
      up_.fetch_add(1, std::memory_order_relaxed);
    } else {
      up_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  if (!slot.attempted) {
    slot.attempted = true;
    if (on_first_attempt_) on_first_attempt_(error);
  }
}

void PgPool::execute(Statement statement, Callback<PgResult> done) {
  std::vector<Statement> statements;
  statements.push_back(std::move(statement));
  submit(PgRequest{std::move(statements),
                   [done = std::move(done)](std::vector<PgResult> results, const std::exception_ptr& error) {
                     done(error ? PgResult() : std::move(results.front()), error);
                   },
                   Clock::now() + options_.request_timeout},
         true);
}

void PgPool::execute_segment(std::vector<Statement> statements, Callback<std::vector<PgResult>> done) {
  submit(PgRequest{std::move(statements), std::move(done), Clock::now() + options_.request_timeout}, false);
}

void PgPool::submit(PgRequest request, bool single) {
  // After shutdown there is no loop to run the completion on: it runs here, at once.
  if (stopping_.load(std::memory_order_relaxed)) return request.done({}, shutting_down());
  const std::optional<size_t> loop = loops_.current();
  if (loop && !request.statements.empty()) {
    // On one of the loops (an HTTP request, or a completion's next step): its own connection, now.
    if (PipelineConnection* connection = least_loaded(*loop)) return send(*connection, std::move(request), single);
  }
  hand_over(std::move(request), single, loop);
}

void PgPool::hand_over(PgRequest request, bool single, std::optional<size_t> caller) {
  handing_over_.fetch_add(1);
  if (stopping_.load()) {
    handing_over_.fetch_sub(1);
    return request.done({}, shutting_down());
  }
  // The least loaded live connection as far as this thread can tell (the loop picks again on
  // arrival); ties go round-robin so idle connections share the work.
  const size_t count = slots_.size();
  const size_t start = next_foreign_.fetch_add(1, std::memory_order_relaxed);
  const Slot* best = nullptr;
  for (size_t k = 0; k < count; ++k) {
    const Slot& candidate = *slots_[(start + k) % count];
    if (candidate.up.load(std::memory_order_relaxed) &&
        (best == nullptr || candidate.connection->load() < best->connection->load())) {
      best = &candidate;
    }
  }
  const size_t loop = best ? best->loop : caller.value_or(0);
  asio::post(loops_.context(loop), [this, loop, single, request = std::move(request)]() mutable {
    dispatch(loop, std::move(request), single);
  });
  handing_over_.fetch_sub(1);
}

void PgPool::dispatch(size_t loop, PgRequest request, bool single) {
  if (request.statements.empty()) return request.done({}, nullptr);
  if (stopping_.load(std::memory_order_relaxed)) return request.done({}, shutting_down());
  PipelineConnection* connection = least_loaded(loop);
  if (connection == nullptr) {
    return request.done({}, std::make_exception_ptr(PgUnavailable("postgres: no connection to " + settings_.target +
                                                                  " is up (reconnecting)")));
  }
  if (request.deadline <= Clock::now()) {
    return request.done({},
                        std::make_exception_ptr(PgUnavailable("postgres: the request timed out before it was sent")));
  }
  send(*connection, std::move(request), single);
}

PipelineConnection* PgPool::least_loaded(size_t loop) {
  Shard& shard = shards_[loop];
  PipelineConnection* best = nullptr;
  const size_t count = shard.slots.size();
  for (size_t k = 0; k < count; ++k) {
    PipelineConnection& candidate = *slots_[shard.slots[(shard.next + k) % count]]->connection;
    if (candidate.ready() && (best == nullptr || candidate.in_flight() < best->in_flight())) best = &candidate;
  }
  shard.next = (shard.next + 1) % count;
  return best;
}

void PgPool::send(PipelineConnection& connection, PgRequest request, bool single) {
  if (single && request.statements.size() == 1) {
    connection.send_single(std::move(request));
  } else {
    connection.send_segment(std::move(request));
  }
}

namespace {
template <class T>
Callback<T> fulfil(std::promise<T>& promise) {
  return [&promise](T result, std::exception_ptr error) {
    if (error) {
      promise.set_exception(error);
    } else {
      promise.set_value(std::move(result));
    }
  };
}
}  // namespace

PgResult PgPool::run(Statement statement) {
  if (loops_.current()) throw std::logic_error("PgPool::run on one of the pool's loops");
  std::promise<PgResult> promise;
  auto future = promise.get_future();
  execute(std::move(statement), fulfil(promise));
  return future.get();
}

std::vector<PgResult> PgPool::run_segment(std::vector<Statement> statements) {
  if (loops_.current()) throw std::logic_error("PgPool::run on one of the pool's loops");
  std::promise<std::vector<PgResult>> promise;
  auto future = promise.get_future();
  execute_segment(std::move(statements), fulfil(promise));
  return future.get();
}

PoolStats PgPool::stats() const {
  PoolStats stats;
  stats.connections_up = up_.load(std::memory_order_relaxed);
  for (const auto& slot : slots_) {
    stats.max_depth = std::max(stats.max_depth, slot->connection->max_depth());
    stats.connects += slot->connection->connects();
  }
  return stats;
}

}  // namespace ninja::storage::postgres
