#include "storage/postgres/connect_attempt.hpp"

#include <libpq-fe.h>

#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/pg_errors.hpp"

#include <vector>

namespace ninja::storage::postgres {

namespace asio = boost::asio;

ConnectAttempt::ConnectAttempt(asio::io_context& io, std::string conninfo, Done done)
    : io_(io), conninfo_(std::move(conninfo)), done_(std::move(done)), socket_(io), timer_(io) {}

std::shared_ptr<ConnectAttempt> ConnectAttempt::start(asio::io_context& io, const std::string& conninfo,
                                                      std::chrono::milliseconds timeout, NoticeSink notices,
                                                      Done done) {
  auto attempt = std::make_shared<ConnectAttempt>(io, conninfo, std::move(done));
  attempt->begin(timeout, notices);
  return attempt;
}

void ConnectAttempt::begin(std::chrono::milliseconds timeout, NoticeSink notices) {
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this(), timeout](const boost::system::error_code& ec) {
    if (ec || self->finished_) return;
    self->fail("timed out after " + std::to_string(timeout.count()) + " ms");
  });
  resolver_ = HostResolver::start(
      io_, conninfo_, [self = shared_from_this(), notices](const Keywords& resolved, const std::string& error) {
        if (self->finished_) return;
        self->resolver_.reset();
        if (!error.empty()) return self->fail(error);
        self->connect(resolved, notices);
      });
}

void ConnectAttempt::connect(const Keywords& resolved, NoticeSink notices) {
  // Keywords before `dbname` are defaults the connection string may override (TCP keepalives that
  // notice a vanished server within about half a minute even while idle); those after it override
  // the string (the addresses looked up for its host names). The fallback name applies only when
  // the string sets no application_name.
  // `options` after it: ours, then the string's own (session_options()).
  const std::string options = session_options(conninfo_, kSessionOptions);
  std::vector<const char*> keywords = {"keepalives_idle", "keepalives_interval",       "keepalives_count",
                                       "dbname",          "fallback_application_name", "options"};
  std::vector<const char*> values = {"15", "5", "3", conninfo_.c_str(), kApplicationName, options.c_str()};
  for (const auto& [keyword, value] : resolved) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  conn_.reset(PQconnectStartParams(keywords.data(), values.data(), 1));
  if (!conn_) return fail("out of memory");
  route_notices(conn_.get(), notices);
  if (PQstatus(conn_.get()) == CONNECTION_BAD) return fail("");
  wait(false);  // libpq's protocol: start as if PQconnectPoll had asked to wait for writing
}

void ConnectAttempt::wait(bool for_read) {
  // libpq may close the socket and open another between polls (the next address of a host), so
  // watch whichever socket is current now.
  if (socket_.is_open()) socket_.release();
  const int fd = PQsocket(conn_.get());
  if (fd < 0) return fail("");
  boost::system::error_code ec;
  socket_.assign(fd, ec);
  if (ec) return fail("cannot watch the socket: " + ec.message());
  socket_.async_wait(for_read ? asio::posix::stream_descriptor::wait_read : asio::posix::stream_descriptor::wait_write,
                     [self = shared_from_this()](const boost::system::error_code& error) {
                       if (error || self->finished_) return;
                       self->poll();
                     });
}

void ConnectAttempt::poll() {
  switch (PQconnectPoll(conn_.get())) {
    case PGRES_POLLING_OK:
      return finish(std::move(conn_), nullptr);
    case PGRES_POLLING_READING:
      return wait(true);
    case PGRES_POLLING_WRITING:
      return wait(false);
    default:
      return fail("");
  }
}

void ConnectAttempt::fail(const std::string& reason) {
  std::string message = connect_failure(conn_.get(), conninfo_, reason);
  if (conn_ && !reason.empty()) message += (message.ends_with(": ") ? "" : "; ") + reason;
  finish(nullptr, std::make_exception_ptr(PgUnavailable(message)));
}

void ConnectAttempt::finish(PgConn conn, std::exception_ptr error) {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  if (resolver_) resolver_->cancel();
  if (socket_.is_open()) socket_.release();  // libpq owns the socket
  conn_.reset();
  auto done = std::move(done_);
  done(std::move(conn), std::move(error));
}

void ConnectAttempt::cancel() {
  if (finished_) return;
  finished_ = true;
  if (resolver_) resolver_->cancel();
  timer_.cancel();
  if (socket_.is_open()) socket_.release();
  conn_.reset();
  done_ = nullptr;
}

}  // namespace ninja::storage::postgres
