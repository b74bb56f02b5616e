#include "storage/postgres/pipeline_connection.hpp"

#include <libpq-fe.h>
#include <sys/ioctl.h>

#include "storage/postgres/connect_attempt.hpp"
#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

namespace asio = boost::asio;

PipelineConnection::PipelineConnection(asio::io_context& io, const ConnectionSettings& settings, StateChange on_change)
    : io_(io),
      settings_(settings),
      on_change_(std::move(on_change)),
      socket_(io),
      deadline_timer_(io),
      reconnect_timer_(io),
      backoff_(settings.reconnect_min, settings.reconnect_max) {}

PipelineConnection::~PipelineConnection() {
  if (attempt_) attempt_->cancel();
  if (socket_.is_open()) socket_.release();  // libpq owns the socket and closes it in PQfinish
}

void PipelineConnection::open() {
  if (state_ == State::idle) connect();
}

void PipelineConnection::close(const std::string& why) {
  if (state_ == State::closed) return;
  if (attempt_) attempt_->cancel();
  attempt_.reset();
  reconnect_timer_.cancel();
  fail_connection(std::make_exception_ptr(PgUnavailable(why)), "");
  state_ = State::closed;
}

void PipelineConnection::connect() {
  state_ = State::connecting;
  const uint64_t generation = ++generation_;
  attempt_ = ConnectAttempt::start(io_, settings_.conninfo, settings_.connect_timeout, settings_.log.get(),
                                   [this, generation](PgConn conn, std::exception_ptr error) {
                                     if (generation != generation_ || state_ != State::connecting) return;
                                     attempt_.reset();
                                     if (error) {
                                       state_ = State::backing_off;
                                       if (settings_.log && backoff_.failures() == 0) {
                                         try {
                                           std::rethrow_exception(error);
                                         } catch (const std::exception& e) {
                                           settings_.log->warn("{} (retrying)", e.what());
                                         }
                                       }
                                       on_change_(*this, error);
                                       schedule_reconnect();
                                       return;
                                     }
                                     on_connected(std::move(conn));
                                   });
}

void PipelineConnection::on_connected(PgConn conn) {
  if (PQsetnonblocking(conn.get(), 1) != 0 || PQenterPipelineMode(conn.get()) != 1) {
    auto error = std::make_exception_ptr(PgUnavailable(connect_failure(conn.get(), settings_.conninfo)));
    state_ = State::backing_off;
    on_change_(*this, error);
    schedule_reconnect();
    return;
  }
  conn_ = std::move(conn);
  boost::system::error_code ec;
  socket_.assign(PQsocket(conn_.get()), ec);
  if (ec) {
    conn_.reset();
    state_ = State::backing_off;
    on_change_(*this, std::make_exception_ptr(PgUnavailable("postgres: cannot watch the socket: " + ec.message())));
    schedule_reconnect();
    return;
  }
  if (settings_.log && backoff_.failures() > 0) settings_.log->info("postgres: reconnected to {}", settings_.target);
  backoff_.reset();
  connects_.fetch_add(1, std::memory_order_relaxed);
  ++generation_;
  state_ = State::ready;
  wait_readable();
  on_change_(*this, nullptr);
}

void PipelineConnection::schedule_reconnect() {
  state_ = State::backing_off;
  reconnect_timer_.expires_after(backoff_.next());
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && state_ == State::backing_off) connect();
  });
}

void PipelineConnection::fail_connection(std::exception_ptr error, const std::string& why) {
  const bool was_ready = state_ == State::ready;
  ++generation_;
  if (socket_.is_open()) socket_.release();  // cancels our waits; their handlers see a new generation
  conn_.reset();
  prepared_.clear();
  reading_ = writing_ = awaiting_end_ = false;
  deadline_timer_.cancel();
  deadline_armed_ = false;
  auto pending = std::move(in_flight_);
  in_flight_.clear();
  if (was_ready && !why.empty()) {
    if (settings_.log) {
      settings_.log->warn("postgres: connection to {} lost: {} ({} requests failed)", settings_.target, why,
                          pending.size());
    }
    state_ = State::backing_off;
    on_change_(*this, error);
    schedule_reconnect();
  }
  for (auto& entry : pending) {
    try {
      entry.request.done({}, error);
    } catch (const std::exception& e) {
      if (settings_.log) settings_.log->error("postgres: a completion threw: {}", e.what());
    }
  }
}

void PipelineConnection::send(PgRequest request) {
  in_flight_.push_back(InFlight{std::move(request), {}, Phase::statements, 0, {}, nullptr});
  if (in_flight_.size() > max_depth_.load(std::memory_order_relaxed)) {
    max_depth_.store(in_flight_.size(), std::memory_order_relaxed);
  }
  if (!write_request(in_flight_.back())) {
    const std::string why = one_line(PQerrorMessage(conn_.get()));
    fail_connection(std::make_exception_ptr(PgUnavailable("postgres: cannot send to " + settings_.target + ": " + why)),
                    why);
    return;
  }
  flush();
  arm_deadline();
}

bool PipelineConnection::write_request(InFlight& entry) {
  pg_conn* conn = conn_.get();
  std::vector<const std::string*> names;
  names.reserve(entry.request.statements.size());
  for (const Statement& statement : entry.request.statements) {
    auto [it, inserted] = prepared_.try_emplace(statement.sql);
    if (inserted) {
      it->second = "s" + std::to_string(++statement_names_);
      if (PQsendPrepare(conn, it->second.c_str(), statement.sql.c_str(), 0, nullptr) != 1) return false;
      entry.prepares.push_back(statement.sql);
    }
    names.push_back(&it->second);
  }
  if (!entry.prepares.empty()) {
    // The prepares get their own Sync: if an earlier segment fails, the server skips messages up
    // to its Sync only, so these still run and later segments can rely on them.
    if (PQpipelineSync(conn) != 1) return false;
    entry.phase = Phase::prepares;
  }
  for (size_t i = 0; i < entry.request.statements.size(); ++i) {
    const auto& params = entry.request.statements[i].params;
    values_.clear();
    lengths_.clear();
    formats_.clear();
    for (const Param& p : params) {
      values_.push_back(p.value ? p.value->c_str() : nullptr);
      lengths_.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
      formats_.push_back(p.binary ? 1 : 0);
    }
    if (PQsendQueryPrepared(conn, names[i]->c_str(), static_cast<int>(params.size()), values_.data(), lengths_.data(),
                            formats_.data(), 0) != 1) {
      return false;
    }
  }
  return PQpipelineSync(conn) == 1;
}

void PipelineConnection::flush() {
  if (state_ != State::ready) return;
  const int pending = PQflush(conn_.get());
  if (pending < 0) {
    const std::string why = one_line(PQerrorMessage(conn_.get()));
    fail_connection(std::make_exception_ptr(PgUnavailable("postgres: cannot send to " + settings_.target + ": " + why)),
                    why);
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

size_t PipelineConnection::bytes_waiting() const {
  int bytes = 0;
  if (::ioctl(PQsocket(conn_.get()), FIONREAD, &bytes) != 0) return 0;
  return static_cast<size_t>(bytes);
}

void PipelineConnection::on_readable() {
  // The loop watches the socket edge-triggered and libpq reads at most a buffer's worth per
  // PQconsumeInput: read until the socket is empty, or an answer left in it would wait for the
  // next packet. Over TLS the last record may sit decrypted inside OpenSSL, which one more read
  // fetches.
  const uint64_t generation = generation_;
  bool tls_probe_done = false;
  for (;;) {
    if (PQconsumeInput(conn_.get()) != 1) {
      const std::string why = one_line(PQerrorMessage(conn_.get()));
      fail_connection(
          std::make_exception_ptr(PgUnavailable("postgres: connection to " + settings_.target + " lost: " + why)), why);
      return;
    }
    if (!process_results() || generation != generation_) return;
    if (bytes_waiting() > 0) {
      tls_probe_done = false;
      continue;
    }
    if (PQsslInUse(conn_.get()) == 1 && !tls_probe_done) {
      tls_probe_done = true;
      continue;
    }
    break;
  }
  if (PQstatus(conn_.get()) == CONNECTION_BAD) {
    const std::string why = one_line(PQerrorMessage(conn_.get()));
    fail_connection(
        std::make_exception_ptr(PgUnavailable("postgres: connection to " + settings_.target + " lost: " + why)), why);
    return;
  }
  flush();  // libpq may have output it could not send while the server's answers were unread
  if (state_ == State::ready) wait_readable();
}

bool PipelineConnection::process_results() {
  pg_conn* conn = conn_.get();
  while (!in_flight_.empty() && PQisBusy(conn) == 0) {
    pg_result* raw = PQgetResult(conn);
    if (raw == nullptr) {
      if (!awaiting_end_) break;  // nothing complete yet
      awaiting_end_ = false;
      continue;
    }
    if (!accept(in_flight_.front(), PgResult(raw))) {
      const std::string why = "unexpected answer from the server (protocol out of step)";
      fail_connection(std::make_exception_ptr(PgUnavailable("postgres: " + why)), why);
      return false;
    }
  }
  return true;
}

bool PipelineConnection::accept(InFlight& head, PgResult result) {
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_PIPELINE_SYNC) {
    if (awaiting_end_) return false;
    if (head.phase == Phase::prepares_sync) {
      head.phase = Phase::statements;
      head.next = 0;
      return true;
    }
    if (head.phase != Phase::sync) return false;
    complete_head();
    return true;
  }
  if (awaiting_end_) return false;  // a second result for one statement: we sent no such query
  awaiting_end_ = true;
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
  switch (head.phase) {
    case Phase::prepares:
      if (!ok) {
        // Forget the statement so the next request prepares it again (under a new name).
        prepared_.erase(head.prepares[head.next]);
        if (!head.error && status == PGRES_FATAL_ERROR) head.error = error_from_result(result.get(), conn_.get());
      }
      if (++head.next == head.prepares.size()) head.phase = Phase::prepares_sync;
      return true;
    case Phase::statements:
      if (ok) {
        head.results.push_back(std::move(result));
      } else if (!head.error && status == PGRES_FATAL_ERROR) {
        head.error = error_from_result(result.get(), conn_.get(), head.next);
      } else if (!head.error && status != PGRES_PIPELINE_ABORTED) {
        head.error = std::make_exception_ptr(
            PgSqlError("", "postgres: unsupported result: " + std::string(PQresStatus(status)), head.next));
      }
      if (++head.next == head.request.statements.size()) head.phase = Phase::sync;
      return true;
    default:
      return false;
  }
}

void PipelineConnection::complete_head() {
  InFlight entry = std::move(in_flight_.front());
  in_flight_.pop_front();
  if (entry.error) entry.results.clear();
  try {
    entry.request.done(std::move(entry.results), entry.error);
  } catch (const std::exception& e) {
    if (settings_.log) settings_.log->error("postgres: a completion threw: {}", e.what());
  }
}

void PipelineConnection::arm_deadline() {
  if (deadline_armed_ || in_flight_.empty()) return;
  deadline_armed_ = true;
  // Checked lazily: the timer is set for the oldest request and, when it fires, moved on to the
  // request that is oldest then, rather than reset after every answer.
  deadline_timer_.expires_at(in_flight_.front().request.deadline);
  deadline_timer_.async_wait([this, generation = generation_](const boost::system::error_code& ec) {
    if (ec || generation != generation_) return;
    deadline_armed_ = false;
    on_deadline();
  });
}

void PipelineConnection::on_deadline() {
  if (in_flight_.empty()) return;
  if (in_flight_.front().request.deadline > Clock::now()) return arm_deadline();
  // The oldest request got no answer in time. Its answer would still arrive in front of every
  // later one, so the connection is closed and opened again, failing what it carries.
  const std::string why = "no answer within the request timeout";
  fail_connection(std::make_exception_ptr(PgUnavailable("postgres: " + settings_.target + " gave " + why)), why);
}

}  // namespace ninja::storage::postgres
