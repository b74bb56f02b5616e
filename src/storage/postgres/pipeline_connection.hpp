#pragma once
// One PostgreSQL connection in pipeline mode: requests are written back to back without waiting
// for answers, and answers are matched to requests in order (see pipeline.hpp), so one connection
// carries many requests in flight and a request costs no round trip of its own.
//
// Single statements that arrive in the same turn of the loop share one Sync: they are queued in
// libpq's buffer and the group is closed (and sent) by a handler posted behind them.
//
// Failures: a broken socket, a protocol surprise, or a request past its deadline (a pipeline
// cannot skip one answer) close the connection, fail every pending request with PgUnavailable,
// and reconnect after a capped, jittered backoff. Runs on one io_context thread; every call on it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/postgres/backoff.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/pipeline.hpp"

namespace ninja::storage::postgres {

class ConnectAttempt;

struct ConnectionSettings {
  std::string conninfo;
  std::string target;  // describe(conninfo), for messages
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{1000};
  std::shared_ptr<spdlog::logger> log;  // may be null
};

class PipelineConnection {
 public:
  // Called when the connection comes up (error null), or when an attempt to connect fails or the
  // connection breaks (error says why).
  using StateChange = std::function<void(std::exception_ptr error)>;

  PipelineConnection(boost::asio::io_context& io, ConnectionSettings settings, StateChange on_change);
  PipelineConnection(const PipelineConnection&) = delete;
  PipelineConnection& operator=(const PipelineConnection&) = delete;
  ~PipelineConnection();

  void open();  // starts the first attempt; later ones follow by themselves
  // Fails what is pending with PgUnavailable(`why`) and stays closed.
  void close(const std::string& why);

  bool ready() const { return state_ == State::ready; }
  size_t in_flight() const { return pipeline_.requests(); }
  // Require ready(). `done` runs later, never inside these calls. A completion may call them (on
  // its loop, a completion's next request comes straight here): requests sent while answers are
  // being handed out are written after that.
  void send_single(PgRequest request);   // exactly one statement
  void send_segment(PgRequest request);  // its own transaction

  // Readable from any thread: requests in flight (as of the loop's last step; for choosing a
  // connection from another thread), and statistics.
  size_t load() const { return load_.load(std::memory_order_relaxed); }
  size_t max_depth() const { return max_depth_.load(std::memory_order_relaxed); }  // most in flight at once
  uint64_t connects() const { return connects_.load(std::memory_order_relaxed); }  // successful connects

 private:
  enum class State { idle, connecting, ready, backing_off, closed };

  void connect();
  void on_connected(PgConn conn);
  void retry_later(const std::exception_ptr& error, bool log);
  void fail_connection(const std::string& why);
  void after_write(bool written);
  void close_group_soon();
  void flush();
  void wait_readable();
  void wait_writable();
  void on_readable();
  void arm_deadline();
  void on_deadline();
  void publish_load();
  void write_deferred();

  boost::asio::io_context& io_;
  const ConnectionSettings settings_;
  StateChange on_change_;
  State state_ = State::idle;
  PgConn conn_;
  Pipeline pipeline_;
  boost::asio::posix::stream_descriptor socket_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer reconnect_timer_;
  std::shared_ptr<ConnectAttempt> attempt_;
  Backoff backoff_;
  uint64_t generation_ = 0;  // bumped whenever the socket changes: stale handlers see a mismatch
  bool reading_ = false;
  bool writing_ = false;
  bool deadline_armed_ = false;
  bool close_posted_ = false;
  bool answering_ = false;  // inside Pipeline::accept, which may call completions
  struct Deferred {
    PgRequest request;
    bool single;
  };
  std::vector<Deferred> deferred_;  // sent by completions while answering_
  std::atomic<size_t> load_{0};
  std::atomic<size_t> max_depth_{0};
  std::atomic<uint64_t> connects_{0};
};

}  // namespace ninja::storage::postgres
