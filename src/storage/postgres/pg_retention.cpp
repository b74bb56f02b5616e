#include "storage/postgres/pg_retention.hpp"

#include "events/event.hpp"
#include "storage/postgres/statement.hpp"

namespace ninja::storage::postgres {
namespace {

// Oldest first and never past the first event of the retention window (found by walking the primary
// key from the oldest row), so a caught-up purge reads a handful of rows. A pending delivery (due
// again) keeps its event; an unpublished one stays for the relay; an OrderCreated no notifier has
// recorded yet stays for it.
constexpr const char* kPurge =
    "WITH gone AS ("
    " DELETE FROM outbox WHERE seq = ANY(ARRAY("
    "  SELECT o.seq FROM outbox o"
    "  WHERE o.seq < COALESCE((SELECT b.seq FROM outbox b WHERE b.created_at >= $1 ORDER BY b.seq LIMIT 1),"
    "                         9223372036854775807)"
    "   AND o.published_at IS NOT NULL AND o.created_at < $1"
    "   AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = o.event_id AND d.next_attempt_at IS NOT NULL)"
    "   AND (o.type <> $3 OR EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = o.event_id))"
    "  ORDER BY o.seq LIMIT $2 FOR UPDATE SKIP LOCKED))"
    " RETURNING event_id),"
    " dropped AS (DELETE FROM deliveries WHERE event_id IN (SELECT event_id FROM gone) RETURNING 1)"
    " SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM dropped)";

}  // namespace

void PgRetention::purge_done(int64_t before_ms, size_t limit, util::Completion<Purged> done) {
  if (limit == 0) return done({}, nullptr);
  query<Purged>(
      *shared_->pool, statement(kPurge, before_ms, limit, std::string(events::kOrderCreated)),
      [](const PgResult& r) {
        return Purged{static_cast<size_t>(r.int64(0, 0)), static_cast<size_t>(r.int64(0, 1))};
      },
      std::move(done));
}

}  // namespace ninja::storage::postgres
