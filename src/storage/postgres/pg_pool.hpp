#pragma once
// A pool of pipelined PostgreSQL connections on event loops: the process's own (net::EventLoops,
// shared with the HTTP server) or, without them, one loop thread of the pool's own. Callers on any
// thread submit a statement or a segment and get a completion: no caller thread waits while a
// request is in flight, and each connection carries many requests at once (see
// pipeline_connection.hpp), so a few connections serve thousands of concurrent requests.
//
// The connections are spread over the loops, at least one per loop. A call made on loop i goes
// straight to loop i's least loaded connection (no post, no other thread woken) and completes on
// that same thread, so an HTTP request read on loop i is answered there too. A call from any other
// thread (relay, notifier, tools, tests) is handed to the loop of the least loaded live connection.
//
// A segment runs as one transaction with one round trip and one commit: the store layer's group
// commit puts many requests' writes into one segment.
//
// Completions run on a loop thread and must be short (hand long work to your own threads). While
// no connection is up (the server restarts) requests fail at once with PgUnavailable; the pool
// reconnects by itself. Every request has a deadline (request_timeout) past which it fails with
// PgUnavailable.
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/postgres/pg_result.hpp"
#include "storage/postgres/pipeline_connection.hpp"
#include "storage/postgres/statement.hpp"

namespace ninja::net {
class EventLoops;
}

namespace ninja::storage::postgres {

// Called exactly once with the result or the error (then the result is empty).
template <class T>
using Callback = std::function<void(T result, std::exception_ptr error)>;

struct PoolOptions {
  std::string conninfo;    // a libpq URI (postgres://…) or key=value string; may hold a password
  size_t connections = 2;  // at least one per loop is opened
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{1000};
  std::shared_ptr<spdlog::logger> log;  // null: silent
  // The loops to run the connections on; they must run until the pool is destroyed. Null: the pool
  // starts one loop thread of its own ("pg-pool").
  net::EventLoops* loops = nullptr;
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
  // Fails what is still pending with PgUnavailable and returns once nothing of the pool is left on
  // the loops (its own loop thread is joined). Destroy whatever shares io() (a PgListener, a
  // GroupCommit) first. Never on one of the loops' threads.
  ~PgPool();

  // One statement, atomic on its own. Statements submitted together may share a Sync; should one
  // of them fail, the others are rolled back and run again alone, so each ends as if alone.
  void execute(Statement statement, Callback<PgResult> done);
  // The statements back to back as ONE transaction: all commit at the end or none does. A failing
  // statement fails the segment with its error (PgSqlError::statement() says which).
  void execute_segment(std::vector<Statement> statements, Callback<std::vector<PgResult>> done);

  // Blocking forms for tools and tests; they rethrow the error. Never call them on a loop's thread.
  PgResult run(Statement statement);
  std::vector<PgResult> run_segment(std::vector<Statement> statements);

  bool ready() const { return up_.load(std::memory_order_relaxed) > 0; }
  PoolStats stats() const;
  size_t connections() const { return slots_.size(); }
  const std::string& target() const { return settings_.target; }  // host=… port=… dbname=… user=…
  // The first loop, for what runs on one loop only: a PgListener, group commit's timer.
  boost::asio::io_context& io() { return io(0); }
  size_t loops() const;
  boost::asio::io_context& io(size_t loop);
  std::optional<size_t> current_loop() const;  // the calling thread's loop, or nullopt

 private:
  // One connection and its loop. `up` mirrors its state for other threads.
  struct Slot {
    std::unique_ptr<PipelineConnection> connection;
    size_t loop = 0;
    bool was_up = false;     // its loop's thread only
    bool attempted = false;  // its loop's thread only: the first attempt has reported
    std::atomic<bool> up{false};
  };

  // `single`: one statement that may share a Sync with others (see pipeline.hpp).
  void submit(PgRequest request, bool single);
  // From another thread (or when loop `caller` has no live connection): to the loop of the least
  // loaded live connection; a failure goes to `caller`'s loop, or the first.
  void hand_over(PgRequest request, bool single, std::optional<size_t> caller);
  void dispatch(size_t loop, PgRequest request, bool single);  // on `loop`'s thread
  PipelineConnection* least_loaded(size_t loop);               // on `loop`'s thread; null: none is up
  static void send(PipelineConnection& connection, PgRequest request, bool single);
  void on_change(size_t index, const std::exception_ptr& error);
  void close_loop(size_t loop, const std::string& why);
  void shutdown(const std::string& why);

  const PoolOptions options_;
  const ConnectionSettings settings_;
  std::unique_ptr<net::EventLoops> own_loops_;  // when options_.loops is null
  net::EventLoops& loops_;
  // A loop's connections, touched by its thread only (aligned: loops do not share a cache line).
  struct alignas(64) Shard {
    std::vector<size_t> slots;
    size_t next = 0;  // round-robin start among equally loaded connections
  };

  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Shard> shards_;            // one per loop
  std::atomic<size_t> next_foreign_{0};  // the same for calls from other threads
  std::atomic<size_t> up_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> handing_over_{0};  // posts under way: shutdown waits for them
  // Startup: the first attempt of every connection reports here.
  std::function<void(std::exception_ptr)> on_first_attempt_;
};

}  // namespace ninja::storage::postgres
