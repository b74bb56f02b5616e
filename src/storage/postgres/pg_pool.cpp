#include "storage/postgres/pg_pool.hpp"

#include <boost/asio/post.hpp>

#include <future>
#include <stdexcept>

#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/pg_errors.hpp"
#include "util/thread_name.hpp"

namespace ninja::storage::postgres {

namespace asio = boost::asio;

namespace {
ConnectionSettings settings_for(const PoolOptions& options) {
  if (options.connections == 0) throw std::invalid_argument("postgres: the pool needs at least one connection");
  // describe() parses the string first: a malformed one throws PgStartupError here.
  return ConnectionSettings{options.conninfo,      describe(options.conninfo), options.connect_timeout,
                            options.reconnect_min, options.reconnect_max,      options.log};
}
}  // namespace

PgPool::PgPool(PoolOptions options)
    : options_(std::move(options)), settings_(settings_for(options_)), work_(asio::make_work_guard(io_)) {
  const size_t count = options_.connections;
  was_up_.assign(count, false);
  attempted_.assign(count, false);
  for (size_t i = 0; i < count; ++i) {
    connections_.push_back(std::make_unique<PipelineConnection>(
        io_, settings_, [this, i](const std::exception_ptr& error) { on_change(i, error); }));
  }

  // Each connection's first attempt reports here once (see on_change), on the loop's thread.
  struct Startup {
    std::promise<void> started;
    size_t waiting;
    std::exception_ptr first_error;
  };
  auto startup = std::make_shared<Startup>();
  startup->waiting = count;
  on_first_attempt_ = [startup](const std::exception_ptr& error) {
    if (error && !startup->first_error) startup->first_error = error;
    if (--startup->waiting == 0) startup->started.set_value();
  };
  thread_ = std::thread([this] {
    util::name_this_thread("pg-pool");
    io_.run();
  });
  asio::post(io_, [this] {
    for (auto& connection : connections_) connection->open();
  });
  startup->started.get_future().wait();
  if (startup->first_error) {
    shutdown("postgres: startup failed");
    try {
      std::rethrow_exception(startup->first_error);
    } catch (const std::exception& e) {
      throw PgStartupError(e.what());
    }
  }
  if (options_.log) options_.log->info("postgres: {} connections to {}", count, settings_.target);
}

PgPool::~PgPool() { shutdown("postgres: the store is shutting down"); }

void PgPool::shutdown(const std::string& why) {
  if (stopping_.exchange(true)) return;
  asio::post(io_, [this, why] {
    for (auto& connection : connections_) connection->close(why);
  });
  work_.reset();
  thread_.join();
}

void PgPool::on_change(size_t index, const std::exception_ptr& error) {
  const bool up = !error;
  if (up != was_up_[index]) {
    was_up_[index] = up;
    if (up) {
      up_.fetch_add(1, std::memory_order_relaxed);
    } else {
      up_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  if (!attempted_[index]) {
    attempted_[index] = true;
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
  if (stopping_.load(std::memory_order_relaxed)) {
    request.done({}, std::make_exception_ptr(PgUnavailable("postgres: the store is shutting down")));
    return;
  }
  asio::post(io_, [this, single, request = std::move(request)]() mutable { dispatch(std::move(request), single); });
}

void PgPool::dispatch(PgRequest request, bool single) {
  if (request.statements.empty()) {
    request.done({}, nullptr);
    return;
  }
  // The least loaded live connection; ties go round-robin so idle connections share the work.
  PipelineConnection* best = nullptr;
  const size_t count = connections_.size();
  for (size_t i = 0; i < count; ++i) {
    PipelineConnection& candidate = *connections_[(next_ + i) % count];
    if (candidate.ready() && (best == nullptr || candidate.in_flight() < best->in_flight())) best = &candidate;
  }
  next_ = (next_ + 1) % count;
  if (best == nullptr) {
    request.done({}, std::make_exception_ptr(
                         PgUnavailable("postgres: no connection to " + settings_.target + " is up (reconnecting)")));
    return;
  }
  if (request.deadline <= Clock::now()) {
    request.done({}, std::make_exception_ptr(PgUnavailable("postgres: the request timed out before it was sent")));
    return;
  }
  if (single && request.statements.size() == 1) {
    best->send_single(std::move(request));
  } else {
    best->send_segment(std::move(request));
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
  if (io_.get_executor().running_in_this_thread()) throw std::logic_error("PgPool::run on the pool's own thread");
  std::promise<PgResult> promise;
  auto future = promise.get_future();
  execute(std::move(statement), fulfil(promise));
  return future.get();
}

std::vector<PgResult> PgPool::run_segment(std::vector<Statement> statements) {
  if (io_.get_executor().running_in_this_thread()) throw std::logic_error("PgPool::run on the pool's own thread");
  std::promise<std::vector<PgResult>> promise;
  auto future = promise.get_future();
  execute_segment(std::move(statements), fulfil(promise));
  return future.get();
}

PoolStats PgPool::stats() const {
  PoolStats stats;
  stats.connections_up = up_.load(std::memory_order_relaxed);
  for (const auto& connection : connections_) {
    stats.max_depth = std::max(stats.max_depth, connection->max_depth());
    stats.connects += connection->connects();
  }
  return stats;
}

}  // namespace ninja::storage::postgres
