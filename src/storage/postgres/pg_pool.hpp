#pragma once
// A pool of pipelined PostgreSQL connections driven by one event-loop thread of its own. Callers on
// any thread submit a statement or a segment and get a completion: no caller thread waits while a
// request is in flight, and each connection carries many requests at once (see
// pipeline_connection.hpp), so a few connections serve thousands of concurrent requests.
//
// A segment runs as one transaction with one round trip and one commit: the store layer's group
// commit puts many requests' writes into one segment.
//
// Completions run on the pool's thread and must be short (hand the result to your own threads).
// While no connection is up (the server restarts) requests fail at once with PgUnavailable; the
// pool reconnects by itself. Every request has a deadline (request_timeout) past which it fails
// with PgUnavailable.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres/pg_result.hpp"
#include "storage/postgres/pipeline_connection.hpp"
#include "storage/postgres/statement.hpp"

namespace ninja::storage::postgres {

// Called exactly once with the result or the error (then the result is empty).
template <class T>
using Callback = std::function<void(T result, std::exception_ptr error)>;

struct PoolOptions {
  std::string conninfo;  // a libpq URI (postgres://…) or key=value string; may hold a password
  size_t connections = 2;
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{1000};
  std::shared_ptr<spdlog::logger> log;  // null: silent
};

struct PoolStats {
  size_t connections_up = 0;
  size_t max_depth = 0;   // most requests one connection has carried at once
  uint64_t connects = 0;  // successful connects, reconnects included
};

class PgPool {
 public:
  // Connects every connection before returning. Throws PgStartupError, one line naming host,
  // port, database and user but never the password, for a malformed string, a refused or timed
  // out connection, or a failed login.
  explicit PgPool(PoolOptions options);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;
  // Fails what is still pending with PgUnavailable and joins the thread. Destroy whatever shares
  // io() (a PgListener) first.
  ~PgPool();

  // One statement, atomic on its own. Statements submitted together may share a Sync; should one
  // of them fail, the others are rolled back and run again alone, so each ends as if alone.
  void execute(Statement statement, Callback<PgResult> done);
  // The statements back to back as ONE transaction: all commit at the end or none does. A failing
  // statement fails the segment with its error (PgSqlError::statement() says which).
  void execute_segment(std::vector<Statement> statements, Callback<std::vector<PgResult>> done);

  // Blocking forms for tools and tests; they rethrow the error. Never call them on the pool's thread.
  PgResult run(Statement statement);
  std::vector<PgResult> run_segment(std::vector<Statement> statements);

  bool ready() const { return up_.load(std::memory_order_relaxed) > 0; }
  PoolStats stats() const;
  const std::string& target() const { return settings_.target; }  // host=… port=… dbname=… user=…
  // The pool's event loop, for a PgListener that shares its thread.
  boost::asio::io_context& io() { return io_; }

 private:
  // `single`: one statement that may share a Sync with others (see pipeline.hpp).
  void submit(PgRequest request, bool single);
  void dispatch(PgRequest request, bool single);
  void on_change(size_t index, const std::exception_ptr& error);
  void shutdown(const std::string& why);

  const PoolOptions options_;
  const ConnectionSettings settings_;
  boost::asio::io_context io_{1};  // run by one thread: no locking for the loop's own posts
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::unique_ptr<PipelineConnection>> connections_;
  std::vector<bool> was_up_;  // per connection, for counting `up_`
  std::atomic<size_t> up_{0};
  std::atomic<bool> stopping_{false};
  size_t next_ = 0;  // round-robin start, so equally loaded connections share the work
  // Startup: the first attempt of every connection reports here.
  std::function<void(std::exception_ptr)> on_first_attempt_;
  std::vector<bool> attempted_;
  std::thread thread_;
};

}  // namespace ninja::storage::postgres
