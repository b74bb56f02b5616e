#include "storage/postgres/pg_outbox.hpp"

#include <algorithm>
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
    "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE seq IN ("
    " SELECT o.seq FROM outbox o WHERE o.published_at IS NULL"
    "  AND (o.claimed_until IS NULL OR o.claimed_until <= $3 OR o.claimed_by = $1)"
    "  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.subject = o.subject AND e.seq < o.seq"
    "   AND e.published_at IS NULL)"
    "  ORDER BY o.seq LIMIT $4 FOR UPDATE SKIP LOCKED)"
    " RETURNING seq, event_id, type, subject, created_at, payload";

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

void PgOutbox::claim(size_t limit, util::Lease lease, util::Completion<std::vector<events::Event>> done) {
  if (limit == 0) return done({}, nullptr);
  query<std::vector<events::Event>>(
      *shared_->pool, statement(kClaim, lease.owner, lease.until_ms, lease.now_ms, limit),
      [](const PgResult& r) {
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
