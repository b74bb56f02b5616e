#include "storage/postgres/pg_listener.hpp"

#include <libpq-fe.h>
#include <sys/ioctl.h>

#include <boost/asio/post.hpp>

#include <future>

#include "storage/postgres/connect_attempt.hpp"
#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

namespace asio = boost::asio;

PgListener::PgListener(asio::io_context& io, ListenerOptions options, OnNotify on_notify)
    : io_(io),
      options_(std::move(options)),
      target_(describe(options_.conninfo)),
      on_notify_(std::move(on_notify)),
      socket_(io),
      reconnect_timer_(io),
      ping_timer_(io),
      backoff_(options_.reconnect_min, options_.reconnect_max) {
  asio::post(io_, [this] {
    if (!stopped_) connect();
  });
}

PgListener::~PgListener() {
  if (io_.get_executor().running_in_this_thread() || io_.stopped()) {
    stop();
    return;
  }
  std::promise<void> stopped;
  asio::post(io_, [this, &stopped] {
    stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
}

void PgListener::stop() {
  stopped_ = true;
  ++generation_;
  if (attempt_) attempt_->cancel();
  attempt_.reset();
  reconnect_timer_.cancel();
  ping_timer_.cancel();
  if (socket_.is_open()) socket_.release();
  conn_.reset();
  listening_.store(false, std::memory_order_relaxed);
}

void PgListener::connect() {
  const uint64_t generation = ++generation_;
  attempt_ = ConnectAttempt::start(io_, options_.conninfo, options_.connect_timeout, options_.log.get(),
                                   [this, generation](PgConn conn, const std::exception_ptr& error) {
                                     if (generation != generation_ || stopped_) return;
                                     attempt_.reset();
                                     if (!error) return on_connected(std::move(conn));
                                     try {
                                       std::rethrow_exception(error);
                                     } catch (const std::exception& e) {
                                       fail(e.what());
                                     }
                                   });
}

void PgListener::on_connected(PgConn conn) {
  conn_ = std::move(conn);
  pg_conn* c = conn_.get();
  char* channel = PQescapeIdentifier(c, options_.channel.data(), options_.channel.size());
  if (channel == nullptr) return fail("cannot quote the channel name: " + one_line(PQerrorMessage(c)));
  const std::string listen = std::string("LISTEN ") + channel;
  PQfreemem(channel);
  if (PQsetnonblocking(c, 1) != 0 || PQsendQuery(c, listen.c_str()) != 1) return fail(one_line(PQerrorMessage(c)));
  boost::system::error_code ec;
  socket_.assign(PQsocket(c), ec);
  if (ec) return fail("cannot watch the socket: " + ec.message());
  ++generation_;
  query_pending_ = true;
  if (PQflush(c) < 0) return fail(one_line(PQerrorMessage(c)));
  wait_readable();
  schedule_ping();
}

void PgListener::fail(const std::string& why) {
  const bool was_listening = listening_.exchange(false, std::memory_order_relaxed);
  ++generation_;
  if (socket_.is_open()) socket_.release();
  conn_.reset();
  ping_timer_.cancel();
  if (options_.log && (was_listening || backoff_.failures() == 0)) {
    options_.log->warn("postgres: listener on {} for '{}' lost: {} (retrying)", target_, options_.channel, why);
  }
  reconnect_timer_.expires_after(backoff_.next());
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_) connect();
  });
}

void PgListener::wait_readable() {
  socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                     [this, generation = generation_](const boost::system::error_code& ec) {
                       if (ec || generation != generation_ || stopped_) return;
                       on_readable();
                     });
}

void PgListener::on_readable() {
  pg_conn* c = conn_.get();
  const uint64_t generation = generation_;
  for (;;) {
    if (PQconsumeInput(c) != 1) return fail(one_line(PQerrorMessage(c)));
    while (PQisBusy(c) == 0) {
      pg_result* result = PQgetResult(c);
      if (result == nullptr) break;
      const ExecStatusType status = PQresultStatus(result);
      const std::string error = one_line(PQresultErrorMessage(result));
      PQclear(result);
      if (status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY && status != PGRES_TUPLES_OK) {
        return fail(error);
      }
      query_pending_ = false;
      if (!listening_.load(std::memory_order_relaxed)) {
        listening_.store(true, std::memory_order_relaxed);
        listens_.fetch_add(1, std::memory_order_relaxed);
        if (options_.log && backoff_.failures() > 0) {
          options_.log->info("postgres: listening on '{}' again at {}", options_.channel, target_);
        }
        backoff_.reset();
        on_notify_("", true);
        if (generation != generation_) return;
      }
    }
    while (PGnotify* notify = PQnotifies(c)) {
      const std::string payload = notify->extra != nullptr ? notify->extra : "";
      PQfreemem(notify);
      on_notify_(payload, false);
      if (generation != generation_) return;
    }
    int waiting = 0;
    if (::ioctl(PQsocket(c), FIONREAD, &waiting) != 0 || waiting <= 0) break;  // see PipelineConnection
  }
  if (PQstatus(c) == CONNECTION_BAD) return fail(one_line(PQerrorMessage(c)));
  wait_readable();
}

void PgListener::schedule_ping() {
  ping_timer_.expires_after(options_.ping_interval);
  ping_timer_.async_wait([this, generation = generation_](const boost::system::error_code& ec) {
    if (ec || generation != generation_ || stopped_) return;
    // The LISTEN or the previous ping had a whole interval to be answered.
    if (query_pending_) return fail("no answer within " + std::to_string(options_.ping_interval.count()) + " ms");
    // An empty query: the cheapest round trip that proves the server still answers.
    if (PQsendQuery(conn_.get(), "") != 1 || PQflush(conn_.get()) < 0) {
      return fail(one_line(PQerrorMessage(conn_.get())));
    }
    query_pending_ = true;
    schedule_ping();
  });
}

}  // namespace ninja::storage::postgres
