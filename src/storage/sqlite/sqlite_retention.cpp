#include "storage/sqlite/sqlite_retention.hpp"

#include <string>
#include <vector>

namespace ninja::storage::sqlite {

void SqliteRetention::purge_done(int64_t before_ms, size_t limit, util::Completion<Purged> done) {
  if (limit == 0) return done({}, nullptr);
  file_->submit<Purged>(
      [before_ms, limit](Database& db) {
        // Oldest first, and never past the first event of the retention window: seq follows commit
        // order, so the bound is found by walking only the rows older than it, and a caught-up
        // purge reads a handful of rows instead of the whole table. A pending delivery (due again)
        // keeps its event; an unpublished event stays for the relay.
        auto q = db.query(
            "DELETE FROM outbox WHERE seq IN ("
            " SELECT o.seq FROM outbox o"
            " WHERE o.seq < COALESCE((SELECT b.seq FROM outbox b WHERE b.created_at >= ?1 ORDER BY b.seq LIMIT 1),"
            "                        9223372036854775807)"
            "  AND o.published_at IS NOT NULL AND o.created_at < ?1"
            "  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = o.event_id"
            "   AND d.next_attempt_at IS NOT NULL)"
            " ORDER BY o.seq LIMIT ?2)"
            " RETURNING event_id");
        q.bind(1, before_ms).bind(2, static_cast<int64_t>(limit));
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
