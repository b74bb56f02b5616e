#pragma once
// The bookkeeping of one connection in libpq's pipeline mode: what was written, in order, and
// which answer belongs to which request. No I/O of its own: PipelineConnection moves the bytes.
//
// Units on the wire, each ended by one Sync (and so one implicit transaction that commits there):
//  - a segment: one request's statements; they succeed or fail together.
//  - a group of single statements: requests of one statement each that arrived together share a
//    Sync, which halves the server's work per statement. Should one fail, the group's transaction
//    is rolled back, the failing request gets its error and the others are sent again on their
//    own, so each still ends as if it had run alone.
//  - prepares: statements are prepared on first use per connection, in a unit of their own so that
//    a failing neighbour cannot undo them; later units refer to them by name.
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <spdlog/logger.h>

#include "storage/postgres/pg_result.hpp"
#include "storage/postgres/statement.hpp"

extern "C" {
struct pg_conn;
}

namespace ninja::storage::postgres {

using Clock = std::chrono::steady_clock;

// What a request ends with: one result per statement, or the error that failed it (then the
// results are empty). Called exactly once, on the loop thread.
using SegmentDone = std::function<void(std::vector<PgResult> results, std::exception_ptr error)>;

struct PgRequest {
  std::vector<Statement> statements;
  SegmentDone done;
  Clock::time_point deadline;
};

class Pipeline {
 public:
  static constexpr size_t kMaxGroup = 64;  // single statements sharing one Sync

  explicit Pipeline(spdlog::logger* log) : log_(log) {}

  // Starts over on a new session (prepared statements are per session). Requires empty().
  void attach(pg_conn* conn);

  // Queue a request's messages in libpq's output buffer (sending is the caller's job). False when
  // libpq refuses, which means the connection is unusable.
  bool write_single(PgRequest request);  // one statement; joins the open group
  bool write_segment(PgRequest request);
  // Ends the open group with its Sync, if there is one.
  bool close_group();
  bool has_open_group() const { return open_group_; }

  // Takes what PQgetResult returned (call only while PQisBusy is false). Completes requests as
  // their answers arrive, and may write again (a failed group's other members).
  enum class Step {
    consumed,  // call again
    idle,      // nothing more until more input arrives
    broken,    // the answer does not fit what was sent: the connection must be dropped
  };
  Step accept(pg_result* result);
  // A write made while accepting failed: the connection is unusable.
  bool write_failed() const { return write_failed_; }

  bool empty() const { return units_.empty(); }
  size_t requests() const { return requests_; }
  Clock::time_point oldest_deadline() const;
  // Hands back every pending request (to be failed) and forgets the session.
  std::vector<PgRequest> take_all();
  // Completions (user callbacks) that throw are caught and logged here.
  void complete(PgRequest& request, std::vector<PgResult> results, std::exception_ptr error);

 private:
  enum class Kind { prepares, segment, singles };
  struct Unit {
    explicit Unit(Kind k) : kind(k) {}
    Kind kind;
    std::vector<PgRequest> requests;  // segment: one; singles: one per statement
    std::vector<std::string> names;   // per statement (or prepare): its prepared name
    std::vector<std::string> sql;     // prepares: the SQL prepared under each name
    size_t next = 0;                  // the statement whose answer comes next
    bool synced = false;
    std::vector<PgResult> results;
    std::exception_ptr error;
    size_t failed = 0;           // the statement that failed
    Clock::time_point deadline;  // of the oldest request it carries
  };

  bool write_prepares(const PgRequest& request);
  bool write_statement(const Statement& statement, Unit& unit);
  bool sync(Unit& unit);
  void record(Unit& unit, PgResult result);
  void finish_front();

  spdlog::logger* log_;
  pg_conn* conn_ = nullptr;
  std::deque<Unit> units_;
  bool open_group_ = false;    // the last unit is a group still taking statements
  bool awaiting_end_ = false;  // a statement's result came; libpq's NULL that ends it is next
  bool write_failed_ = false;
  size_t requests_ = 0;
  std::vector<PgRequest> unsent_;                          // requests whose writing failed, still to be completed
  std::unordered_map<std::string, std::string> prepared_;  // SQL → name, this session
  // Prepares that failed, by name: a statement that used one reports this error rather than
  // "prepared statement does not exist". Cleared whenever the pipeline drains.
  std::unordered_map<std::string, std::exception_ptr> failed_prepares_;
  uint64_t names_ = 0;
  std::vector<const char*> values_;  // scratch arrays for libpq's parameter lists
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

}  // namespace ninja::storage::postgres
