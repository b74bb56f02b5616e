#include "storage/postgres/pg_outbox.hpp"

#include <algorithm>
#include <array>
#include <mutex>

#include "storage/postgres/pg_listener.hpp"
#include "storage/postgres/pg_rows.hpp"

namespace ninja::storage::postgres {
namespace {

// Free = unpublished, not under another relay's live lease (a relay gets its own back, to retry),
// and the oldest unpublished event of its subject, so "deleted" never overtakes "created" even
// when one publish of a batch fails and the rest succeed. A subject's events commit in order (a
// delete needs the committed create), so an earlier one is never merely invisible here.
constexpr const char* kClaim =
    "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE seq = ANY(ARRAY("
    " SELECT o.seq FROM outbox o WHERE o.published_at IS NULL"
    "  AND (o.claimed_until IS NULL OR o.claimed_until <= $3 OR o.claimed_by = $1)"
    "  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.subject = o.subject AND e.seq < o.seq"
    "   AND e.published_at IS NULL)"
    "  ORDER BY o.seq LIMIT $4 FOR UPDATE SKIP LOCKED))"
    " RETURNING seq, event_id, type, subject, created_at, payload";

// The claim must walk the partial index on seq, stop after `limit` rows, and update those by primary
// key. The outbox grows by thousands of rows a second while autovacuum re-analyzes it at most once
// a minute, so the planner's estimates lag far behind (measured: 329 estimated, 52k actual). With
// `seq IN (subquery)` it then joined the update by a scan of the whole table, or picked a bitmap
// scan over every unpublished row plus a sort: 117 ms for 256 events instead of 11 ms, and slower
// the larger the backlog, just when the relay must catch up. `= ANY(ARRAY(subquery))` makes the
// update an index lookup of the chosen seqs, and the plan settings below, for this one transaction,
// leave index scans alone for choosing them.
// The settings leave one plan: nested loops over index scans (the anti-join looks up each
// candidate's subject in the (subject, seq) index instead of comparing it with a materialized copy
// of the whole backlog, which stale estimates of a handful of rows would otherwise choose).
constexpr std::array<const char*, 6> kClaimPlan = {
    "SET LOCAL enable_seqscan = off",  "SET LOCAL enable_bitmapscan = off", "SET LOCAL enable_sort = off",
    "SET LOCAL enable_material = off", "SET LOCAL enable_hashjoin = off",   "SET LOCAL enable_mergejoin = off"};

// Stops the listener before the shared pool (whose loop it runs on) can go.
class CommitWatch final : public events::Subscription {
 public:
  CommitWatch(std::shared_ptr<PgShared> shared, std::function<void()> notice)
      : shared_(std::move(shared)), notice_(std::move(notice)) {
    ListenerOptions options;
    options.conninfo = shared_->options.conninfo;
    options.channel = kOutboxChannel;
    options.connect_timeout = shared_->options.connect_timeout;
    options.reconnect_min = shared_->options.reconnect_min;
    options.reconnect_max = shared_->options.reconnect_max;
    options.log = shared_->options.log;
    listener_ =
        std::make_unique<PgListener>(shared_->pool->io(), options, [this](std::string_view schema, bool resync) {
          if (resync || schema == shared_->schema) notice_();
        });
  }
  ~CommitWatch() override { stop(); }
  void stop() override {
    std::lock_guard lock(mutex_);
    listener_.reset();  // returns once the listener's callback can no longer run
  }

 private:
  std::shared_ptr<PgShared> shared_;
  std::function<void()> notice_;
  std::mutex mutex_;
  std::unique_ptr<PgListener> listener_;
};

}  // namespace

PgOutbox::PgOutbox(std::shared_ptr<PgShared> shared) : shared_(std::move(shared)) {}

std::vector<Statement> claim_statements(size_t limit, const util::Lease& lease) {
  std::vector<Statement> segment;
  for (const char* sql : kClaimPlan) segment.push_back(statement(sql));
  segment.push_back(statement(kClaim, lease.owner, lease.until_ms, lease.now_ms, limit));
  return segment;
}

void PgOutbox::claim(size_t limit, util::Lease lease, util::Completion<std::vector<events::Event>> done) {
  if (limit == 0) return done({}, nullptr);
  transact<std::vector<events::Event>>(
      *shared_->pool, claim_statements(limit, lease),
      [](const std::vector<PgResult>& results) {
        const PgResult& r = results.back();
        std::vector<std::pair<int64_t, events::Event>> claimed;
        claimed.reserve(static_cast<size_t>(r.rows()));
        for (int row = 0; row < r.rows(); ++row) {
          claimed.push_back(
              {r.int64(row, 0),
               {r.string(row, 1), r.string(row, 2), r.string(row, 3), r.int64(row, 4), r.string(row, 5)}});
        }
        // RETURNING gives no order; oldest first keeps the lag low.
        std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<events::Event> events;
        events.reserve(claimed.size());
        for (auto& entry : claimed) events.push_back(std::move(entry.second));
        return events;
      },
      std::move(done));
}

void PgOutbox::mark_published(std::vector<std::string> event_ids, int64_t now_ms, util::Done done) {
  if (event_ids.empty()) return done(nullptr);
  query<bool>(
      *shared_->pool,
      statement("UPDATE outbox SET published_at = $1, claimed_by = NULL, claimed_until = NULL"
                " WHERE event_id = ANY($2::text[]) AND published_at IS NULL",
                now_ms, text_array(event_ids)),
      [](const PgResult&) { return true; }, ignore_result(std::move(done)));
}

void PgOutbox::oldest_unpublished_ms(util::Completion<std::optional<int64_t>> done) {
  query<std::optional<int64_t>>(
      *shared_->pool, statement("SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT 1"),
      [](const PgResult& r) -> std::optional<int64_t> {
        if (r.rows() == 0) return std::nullopt;
        return r.int64(0, 0);
      },
      std::move(done));
}

std::unique_ptr<events::Subscription> PgOutbox::watch_commits(std::function<void()> notice) {
  return std::make_unique<CommitWatch>(shared_, std::move(notice));
}

}  // namespace ninja::storage::postgres
