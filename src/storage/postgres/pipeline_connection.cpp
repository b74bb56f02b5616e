#include "storage/postgres/pipeline_connection.hpp"

#include <libpq-fe.h>
#include <sys/ioctl.h>

#include <boost/asio/post.hpp>

#include "storage/postgres/connect_attempt.hpp"
#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

namespace asio = boost::asio;

PipelineConnection::PipelineConnection(asio::io_context& io, ConnectionSettings settings, StateChange on_change)
    : io_(io),
      settings_(std::move(settings)),
      on_change_(std::move(on_change)),
      pipeline_(settings_.log.get()),
      socket_(io),
      deadline_timer_(io),
      reconnect_timer_(io),
      backoff_(settings_.reconnect_min, settings_.reconnect_max) {}

PipelineConnection::~PipelineConnection() {
  if (attempt_) attempt_->cancel();
  if (socket_.is_open()) socket_.release();  // libpq owns the socket and closes it in PQfinish
}

void PipelineConnection::open() {
  if (state_ == State::idle) connect();
}

void PipelineConnection::close(const std::string& why) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  if (attempt_) attempt_->cancel();
  attempt_.reset();
  reconnect_timer_.cancel();
  fail_connection(why);
}

void PipelineConnection::connect() {
  state_ = State::connecting;
  const uint64_t generation = ++generation_;
  attempt_ = ConnectAttempt::start(io_, settings_.conninfo, settings_.connect_timeout, settings_.log.get(),
                                   [this, generation](PgConn conn, const std::exception_ptr& error) {
                                     if (generation != generation_ || state_ != State::connecting) return;
                                     attempt_.reset();
                                     if (error) return retry_later(error, backoff_.failures() == 0);
                                     on_connected(std::move(conn));
                                   });
}

void PipelineConnection::on_connected(PgConn conn) {
  boost::system::error_code ec;
  if (PQsetnonblocking(conn.get(), 1) == 0 && PQenterPipelineMode(conn.get()) == 1)
    socket_.assign(PQsocket(conn.get()), ec);
  if (!socket_.is_open() || ec) {
    const std::string why = ec ? ec.message() : one_line(PQerrorMessage(conn.get()));
    return retry_later(std::make_exception_ptr(
                           PgUnavailable("postgres: cannot use the connection to " + settings_.target + ": " + why)),
                       true);
  }
  conn_ = std::move(conn);
  pipeline_.attach(conn_.get());
  if (settings_.log && backoff_.failures() > 0) settings_.log->info("postgres: reconnected to {}", settings_.target);
  backoff_.reset();
  connects_.fetch_add(1, std::memory_order_relaxed);
  ++generation_;
  state_ = State::ready;
  wait_readable();
  on_change_(nullptr);
}

void PipelineConnection::retry_later(const std::exception_ptr& error, bool log) {
  if (settings_.log && log) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      settings_.log->warn("{} (retrying)", e.what());
    }
  }
  state_ = State::backing_off;
  on_change_(error);
  reconnect_timer_.expires_after(backoff_.next());
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && state_ == State::backing_off) connect();
  });
}

void PipelineConnection::fail_connection(const std::string& why) {
  const bool reconnect = state_ == State::ready;
  ++generation_;
  if (socket_.is_open()) socket_.release();  // cancels our waits; their handlers see a new generation
  auto pending = pipeline_.take_all();
  for (auto& deferred : deferred_) pending.push_back(std::move(deferred.request));
  deferred_.clear();
  conn_.reset();
  reading_ = writing_ = deadline_armed_ = close_posted_ = answering_ = false;
  deadline_timer_.cancel();
  const auto error = std::make_exception_ptr(PgUnavailable(why));
  if (reconnect) {
    if (settings_.log) {
      settings_.log->warn("{} ({} requests failed)", why, pending.size());
    }
    backoff_.reset();
    retry_later(error, false);  // the first attempt follows within the shortest delay
  }
  publish_load();
  for (auto& request : pending) pipeline_.complete(request, {}, error);
}

void PipelineConnection::send_single(PgRequest request) {
  if (answering_) return deferred_.push_back({std::move(request), true});
  after_write(pipeline_.write_single(std::move(request)));
  close_group_soon();
}

void PipelineConnection::send_segment(PgRequest request) {
  if (answering_) return deferred_.push_back({std::move(request), false});
  after_write(pipeline_.write_segment(std::move(request)));
  flush();
}

void PipelineConnection::write_deferred() {
  auto deferred = std::move(deferred_);
  deferred_.clear();
  for (auto& [request, single] : deferred) {
    if (state_ != State::ready) {  // a write before it broke the connection
      pipeline_.complete(request, {},
                         std::make_exception_ptr(
                             PgUnavailable("postgres: cannot send to " + settings_.target + " (connection lost)")));
    } else if (single) {
      send_single(std::move(request));
    } else {
      send_segment(std::move(request));
    }
  }
}

void PipelineConnection::after_write(bool written) {
  if (!written) {
    return fail_connection("postgres: cannot send to " + settings_.target + ": " +
                           one_line(PQerrorMessage(conn_.get())));
  }
  if (pipeline_.requests() > max_depth_.load(std::memory_order_relaxed)) {
    max_depth_.store(pipeline_.requests(), std::memory_order_relaxed);
  }
  publish_load();
  arm_deadline();
}

void PipelineConnection::publish_load() { load_.store(pipeline_.requests(), std::memory_order_relaxed); }

void PipelineConnection::close_group_soon() {
  // Posted behind whatever requests are already queued on the loop, so those join the group.
  if (close_posted_ || state_ != State::ready) return;
  close_posted_ = true;
  asio::post(io_, [this, generation = generation_] {
    if (generation != generation_) return;
    close_posted_ = false;
    if (!pipeline_.close_group()) {
      return fail_connection("postgres: cannot send to " + settings_.target + ": " +
                             one_line(PQerrorMessage(conn_.get())));
    }
    flush();
  });
}

void PipelineConnection::flush() {
  if (state_ != State::ready) return;
  const int pending = PQflush(conn_.get());
  if (pending < 0) {
    fail_connection("postgres: cannot send to " + settings_.target + ": " + one_line(PQerrorMessage(conn_.get())));
  } else if (pending > 0) {
    wait_writable();
  }
}

void PipelineConnection::wait_readable() {
  if (reading_) return;
  reading_ = true;
  socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                     [this, generation = generation_](const boost::system::error_code& ec) {
                       if (generation != generation_) return;
                       reading_ = false;
                       if (!ec) on_readable();
                     });
}

void PipelineConnection::wait_writable() {
  if (writing_) return;
  writing_ = true;
  socket_.async_wait(asio::posix::stream_descriptor::wait_write,
                     [this, generation = generation_](const boost::system::error_code& ec) {
                       if (generation != generation_) return;
                       writing_ = false;
                       if (!ec) flush();
                     });
}

void PipelineConnection::on_readable() {
  // The loop watches the socket edge-triggered and libpq reads at most a buffer's worth per
  // PQconsumeInput: read until the socket is empty, or an answer left in it would wait for the
  // next packet. Over TLS the last record may sit decrypted inside OpenSSL; one more read gets it.
  pg_conn* conn = conn_.get();
  const uint64_t generation = generation_;
  bool tls_probe_done = false;
  for (;;) {
    if (PQconsumeInput(conn) != 1) {
      return fail_connection("postgres: connection to " + settings_.target +
                             " lost: " + one_line(PQerrorMessage(conn)));
    }
    while (PQisBusy(conn) == 0) {
      answering_ = true;
      const Pipeline::Step step = pipeline_.accept(PQgetResult(conn));
      if (generation != generation_) return;  // a completion closed the pool
      answering_ = false;
      if (step == Pipeline::Step::idle) break;
      if (step == Pipeline::Step::broken) {
        return fail_connection("postgres: unexpected answer from " + settings_.target + " (protocol out of step)");
      }
    }
    if (pipeline_.write_failed()) {
      return fail_connection("postgres: cannot send to " + settings_.target + ": " + one_line(PQerrorMessage(conn)));
    }
    int waiting = 0;
    if (::ioctl(PQsocket(conn), FIONREAD, &waiting) == 0 && waiting > 0) {
      tls_probe_done = false;
      continue;
    }
    if (PQsslInUse(conn) == 1 && !tls_probe_done) {
      tls_probe_done = true;
      continue;
    }
    break;
  }
  if (PQstatus(conn) == CONNECTION_BAD) {
    return fail_connection("postgres: connection to " + settings_.target + " lost: " + one_line(PQerrorMessage(conn)));
  }
  if (!deferred_.empty()) {
    write_deferred();
    if (generation != generation_) return;
  }
  flush();  // resent requests, and output libpq could not send while answers were unread
  if (state_ == State::ready) {
    publish_load();
    wait_readable();
    arm_deadline();
  }
}

void PipelineConnection::arm_deadline() {
  if (deadline_armed_ || pipeline_.empty()) return;
  deadline_armed_ = true;
  // Checked lazily: the timer is set for the oldest request and, when it fires, moved on to the
  // request that is oldest then, rather than reset after every answer.
  deadline_timer_.expires_at(pipeline_.oldest_deadline());
  deadline_timer_.async_wait([this, generation = generation_](const boost::system::error_code& ec) {
    if (ec || generation != generation_) return;
    deadline_armed_ = false;
    on_deadline();
  });
}

void PipelineConnection::on_deadline() {
  if (pipeline_.empty()) return;
  if (pipeline_.oldest_deadline() > Clock::now()) return arm_deadline();
  // The oldest request got no answer in time. Its answer would still arrive in front of every
  // later one, so the connection is closed and opened again, failing what it carries.
  fail_connection("postgres: " + settings_.target + " gave no answer within the request timeout");
}

}  // namespace ninja::storage::postgres
