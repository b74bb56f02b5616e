#pragma once
// LISTEN on one channel over a dedicated connection and call back per notification: how a relay
// learns at once that an event committed, without polling. Notifications sent while no connection
// listens are lost (a server restart, a transaction-pooling proxy), so after every successful
// LISTEN, the first included, the callback runs once with `resync` set: the listener has just
// begun hearing and may have missed some. Polling stays the safety net.
//
// A ping every `ping_interval` notices a connection that died silently; the listener then
// reconnects with backoff and LISTENs again.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "storage/postgres/backoff.hpp"
#include "storage/postgres/pg_conn.hpp"

namespace ninja::storage::postgres {

class ConnectAttempt;

struct ListenerOptions {
  std::string conninfo;
  std::string channel;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{1000};
  std::chrono::milliseconds ping_interval{10000};
  std::shared_ptr<spdlog::logger> log;  // may be null
};

class PgListener {
 public:
  // Runs on `io`'s thread (exactly one thread must run it while the listener lives); keep it short.
  using OnNotify = std::function<void(std::string_view payload, bool resync)>;

  // Starts connecting at once; it never throws for an unreachable server (it keeps trying).
  PgListener(boost::asio::io_context& io, ListenerOptions options, OnNotify on_notify);
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;
  // Stops listening; from any thread. After it returns, the callback is not running and never runs.
  ~PgListener();

  bool listening() const { return listening_.load(std::memory_order_relaxed); }
  uint64_t listens() const { return listens_.load(std::memory_order_relaxed); }  // successful LISTENs

 private:
  void connect();
  void on_connected(PgConn conn);
  void fail(const std::string& why);
  void wait_readable();
  void on_readable();
  void schedule_ping();
  void stop();

  boost::asio::io_context& io_;
  const ListenerOptions options_;
  const std::string target_;
  OnNotify on_notify_;
  PgConn conn_;
  boost::asio::posix::stream_descriptor socket_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer ping_timer_;
  std::shared_ptr<ConnectAttempt> attempt_;
  Backoff backoff_;
  uint64_t generation_ = 0;
  bool stopped_ = false;
  bool query_pending_ = false;  // LISTEN or a ping awaits its answer
  std::atomic<bool> listening_{false};
  std::atomic<uint64_t> listens_{0};
};

}  // namespace ninja::storage::postgres
