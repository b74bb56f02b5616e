#include "storage/sqlite/sqlite_outbox.hpp"

#include <algorithm>

namespace ninja::storage::sqlite {

void SqliteOutbox::claim(size_t limit, util::Lease lease, util::Completion<std::vector<events::Event>> done) {
  if (limit == 0) return done({}, nullptr);
  file_->submit<std::vector<events::Event>>(
      [limit, lease = std::move(lease)](Database& db) {
        // Free = unpublished, not under another relay's live lease, and the oldest unpublished
        // event of its subject: "deleted" never overtakes "created", even when one publish of a
        // batch fails and the rest succeed.
        auto q = db.query(
            "UPDATE outbox SET claimed_by = ?1, claimed_until = ?2 WHERE seq IN ("
            " SELECT o.seq FROM outbox o WHERE o.published_at IS NULL"
            "  AND (o.claimed_until IS NULL OR o.claimed_until <= ?3 OR o.claimed_by = ?1)"
            "  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.subject = o.subject AND e.seq < o.seq"
            "   AND e.published_at IS NULL)"
            "  ORDER BY o.seq LIMIT ?4)"
            " RETURNING seq, event_id, type, subject, created_at, payload");
        q.bind(1, lease.owner).bind(2, lease.until_ms).bind(3, lease.now_ms).bind(4, static_cast<int64_t>(limit));
        std::vector<std::pair<int64_t, events::Event>> claimed;
        while (q.step()) claimed.push_back({q.int64(0), {q.text(1), q.text(2), q.text(3), q.int64(4), q.text(5)}});
        // RETURNING gives no order guarantee; oldest first keeps the lag low.
        std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<events::Event> events;
        events.reserve(claimed.size());
        for (auto& entry : claimed) events.push_back(std::move(entry.second));
        return events;
      },
      std::move(done));
}

void SqliteOutbox::peek_pending(size_t limit, util::Lease, util::Completion<std::vector<events::Event>> done) {
  if (limit == 0) return done({}, nullptr);
  file_->read<std::vector<events::Event>>(
      [limit](Database& db) {
        // claim()'s rule without its lease: the oldest unpublished event of each subject.
        auto q = db.query(
            "SELECT event_id, type, subject, created_at, payload FROM outbox o WHERE o.published_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.subject = o.subject AND e.seq < o.seq"
            "  AND e.published_at IS NULL)"
            " ORDER BY o.seq LIMIT ?1");
        q.bind(1, static_cast<int64_t>(limit));
        std::vector<events::Event> events;
        while (q.step()) events.push_back({q.text(0), q.text(1), q.text(2), q.int64(3), q.text(4)});
        return events;
      },
      std::move(done));
}

void SqliteOutbox::mark_published(std::vector<std::string> event_ids, int64_t now_ms, util::Done done) {
  if (event_ids.empty()) return done(nullptr);
  file_->submit(
      [event_ids = std::move(event_ids), now_ms](Database& db) {
        for (const auto& id : event_ids) {
          db.query(
                "UPDATE outbox SET published_at = ?1, claimed_by = NULL, claimed_until = NULL"
                " WHERE event_id = ?2 AND published_at IS NULL")
              .bind(1, now_ms)
              .bind(2, id)
              .run();
        }
      },
      std::move(done));
}

void SqliteOutbox::oldest_unpublished_ms(util::Completion<std::optional<int64_t>> done) {
  file_->read<std::optional<int64_t>>(
      [](Database& db) -> std::optional<int64_t> {
        auto q = db.query("SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT 1");
        if (!q.step()) return std::nullopt;
        return q.int64(0);
      },
      std::move(done));
}

std::unique_ptr<events::Subscription> SqliteOutbox::watch_commits(std::function<void()> notice) {
  return file_->commits().watch(std::move(notice));
}

}  // namespace ninja::storage::sqlite
