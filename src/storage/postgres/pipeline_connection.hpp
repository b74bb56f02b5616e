#pragma once
// One PostgreSQL connection in pipeline mode: requests are written back to back without waiting
// for answers, and answers are matched to requests in order (a FIFO), so one connection carries
// many requests in flight and a request costs no round trip of its own.
//
// A request is a segment: its statements, then one Sync. PostgreSQL runs a segment's statements in
// ONE implicit transaction that commits at the Sync, and an error skips the rest of the segment
// until the Sync: the segment succeeds or fails as a whole, and the connection stays usable.
// Statements are prepared on first use per connection (the Prepare travels in front of the
// segment, with its own Sync so a failing segment cannot undo it), and reused by SQL text.
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
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/postgres/backoff.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/pg_result.hpp"
#include "storage/postgres/statement.hpp"

namespace ninja::storage::postgres {

class ConnectAttempt;

using Clock = std::chrono::steady_clock;

// What a segment ends with: one result per statement, or the error that failed it (then the
// results are empty). Called exactly once, on the loop thread.
using SegmentDone = std::function<void(std::vector<PgResult> results, std::exception_ptr error)>;

struct PgRequest {
  std::vector<Statement> statements;
  SegmentDone done;
  Clock::time_point deadline;
};

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
  // Called when the connection comes up (error null) or an attempt to connect fails or the
  // connection breaks (error says why).
  using StateChange = std::function<void(PipelineConnection& connection, std::exception_ptr error)>;

  PipelineConnection(boost::asio::io_context& io, const ConnectionSettings& settings, StateChange on_change);
  PipelineConnection(const PipelineConnection&) = delete;
  PipelineConnection& operator=(const PipelineConnection&) = delete;
  ~PipelineConnection();

  void open();  // starts the first attempt; later ones follow by themselves
  // Fails what is pending with PgUnavailable(`why`) and stays closed.
  void close(const std::string& why);

  bool ready() const { return state_ == State::ready; }
  size_t in_flight() const { return in_flight_.size(); }
  // Requires ready(). The request's `done` runs later, never inside send().
  void send(PgRequest request);

  // Readable from any thread (statistics).
  size_t max_depth() const { return max_depth_.load(std::memory_order_relaxed); }  // most in flight at once
  uint64_t connects() const { return connects_.load(std::memory_order_relaxed); }  // successful connects

 private:
  enum class State { idle, connecting, ready, backing_off, closed };
  enum class Phase { prepares, prepares_sync, statements, sync };
  struct InFlight {
    PgRequest request;
    std::vector<std::string> prepares;  // SQL of the statements this request prepares first
    Phase phase = Phase::statements;
    size_t next = 0;  // the prepare or statement whose answer comes next
    std::vector<PgResult> results;
    std::exception_ptr error;
  };

  void connect();
  void on_connected(PgConn conn);
  void schedule_reconnect();
  void fail_connection(std::exception_ptr error, const std::string& why);
  bool write_request(InFlight& entry);
  void flush();
  void wait_readable();
  void wait_writable();
  void on_readable();
  bool process_results();  // false when the connection had to be failed
  bool accept(InFlight& head, PgResult result);
  void complete_head();
  void arm_deadline();
  void on_deadline();
  size_t bytes_waiting() const;

  boost::asio::io_context& io_;
  const ConnectionSettings settings_;
  StateChange on_change_;
  State state_ = State::idle;
  PgConn conn_;
  boost::asio::posix::stream_descriptor socket_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer reconnect_timer_;
  std::shared_ptr<ConnectAttempt> attempt_;
  Backoff backoff_;
  uint64_t generation_ = 0;  // bumped whenever the socket changes: stale handlers see a mismatch
  bool reading_ = false;
  bool writing_ = false;
  bool deadline_armed_ = false;
  bool awaiting_end_ = false;  // a statement's result came; libpq's NULL that ends it is next
  std::deque<InFlight> in_flight_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name, this session
  uint64_t statement_names_ = 0;
  std::atomic<size_t> max_depth_{0};
  std::atomic<uint64_t> connects_{0};
  // Scratch arrays for libpq's parameter lists, reused across sends.
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

}  // namespace ninja::storage::postgres
