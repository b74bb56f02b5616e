#pragma once
// Opens one libpq connection without blocking the event loop: host names looked up off the loop
// (host_resolver.hpp), then PQconnectStartParams, then PQconnectPoll each time the socket is ready
// in the direction libpq asks for, all within a time limit.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "storage/postgres/host_resolver.hpp"
#include "storage/postgres/pg_conn.hpp"

namespace ninja::storage::postgres {

class ConnectAttempt : public std::enable_shared_from_this<ConnectAttempt> {
 public:
  // A connected, idle PGconn, or a PgUnavailable naming the target ("postgres: cannot connect to
  // host=... port=... dbname=... user=...: <why>"). Called exactly once on the loop, unless
  // cancelled first.
  using Done = std::function<void(PgConn conn, std::exception_ptr error)>;

  // Starts connecting to `conninfo` (a libpq URI or key=value string). Call on the loop's thread.
  static std::shared_ptr<ConnectAttempt> start(boost::asio::io_context& io, const std::string& conninfo,
                                               std::chrono::milliseconds timeout, NoticeSink notices, Done done);
  // Stops the attempt: `done` will not be called.
  void cancel();

  ConnectAttempt(boost::asio::io_context& io, std::string conninfo, Done done);

 private:
  void begin(std::chrono::milliseconds timeout, NoticeSink notices);
  void connect(const Keywords& resolved, NoticeSink notices);
  void wait(bool for_read);
  void poll();
  void fail(const std::string& reason);
  void finish(PgConn conn, std::exception_ptr error);

  boost::asio::io_context& io_;
  std::string conninfo_;
  Done done_;
  std::shared_ptr<HostResolver> resolver_;
  PgConn conn_;
  boost::asio::posix::stream_descriptor socket_;
  boost::asio::steady_timer timer_;
  bool finished_ = false;
};

}  // namespace ninja::storage::postgres
