#include "storage/sqlite/sqlite_retention.hpp"

#include <string>
#include <vector>

#include "events/event.hpp"

namespace ninja::storage::sqlite {
namespace {

// The first seq of the retention window: every event before it committed before `before_ms`.
// seq follows commit order and so, closely, created_at: a binary search over seq finds the bound in
// ~40 primary-key lookups, where walking the rows to it reads every event older than the window —
// the whole backlog, in every batch, just when the purge has the most to catch up.
int64_t window_start(Database& db, int64_t before_ms) {
  auto range = db.query("SELECT min(seq), max(seq) FROM outbox");
  if (!range.step() || range.is_null(0)) return 0;
  int64_t lo = range.int64(0);
  int64_t hi = range.int64(1) + 1;  // past the last row: inside the window by definition
  // Smallest v whose first row at or after it is missing or inside the window.
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    auto q = db.query("SELECT created_at FROM outbox WHERE seq >= ?1 ORDER BY seq LIMIT 1");
    const bool inside = !q.bind(1, mid).step() || q.int64(0) >= before_ms;
    if (inside) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace

void SqliteRetention::purge_done(int64_t before_ms, size_t limit, util::Completion<Purged> done) {
  if (limit == 0) return done({}, nullptr);
  file_->submit<Purged>(
      [before_ms, limit](Database& db) {
        // Oldest first, and never past the start of the retention window, so a caught-up purge reads
        // a handful of rows. A delivery still due keeps its event; an unpublished one stays for the
        // relay; an OrderCreated no notifier has recorded yet stays for it.
        auto q = db.query(
            "DELETE FROM outbox WHERE seq IN ("
            " SELECT o.seq FROM outbox o"
            " WHERE o.seq < ?3 AND o.published_at IS NOT NULL AND o.created_at < ?1"
            "  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = o.event_id"
            "   AND d.next_attempt_at IS NOT NULL)"
            "  AND (o.type <> ?4 OR EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = o.event_id))"
            " ORDER BY o.seq LIMIT ?2)"
            " RETURNING event_id");
        q.bind(1, before_ms).bind(2, static_cast<int64_t>(limit)).bind(3, window_start(db, before_ms));
        q.bind(4, events::kOrderCreated);
        std::vector<std::string> events;
        while (q.step()) events.push_back(q.text(0));
        Purged purged{events.size(), 0};
        for (const auto& id : events) {
          db.query("DELETE FROM deliveries WHERE event_id = ?1").bind(1, id).run();
          purged.deliveries += static_cast<size_t>(db.changes());
        }
        return purged;
      },
      std::move(done));
}

}  // namespace ninja::storage::sqlite
