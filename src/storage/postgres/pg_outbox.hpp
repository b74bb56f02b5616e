#pragma once
// The relay's outbox on PostgreSQL. Claims lock candidate rows FOR UPDATE SKIP LOCKED, so relays in
// several processes never wait for or take each other's events, and lease them (claimed_by,
// claimed_until) so a crashed relay's events come free again. A sequence number is not commit order
// (a lower one may commit later), so each claim looks at every unpublished event rather than past
// a high-water mark: an event that commits late is claimed by a later claim, never skipped.
// Commit notices come from LISTEN on kOutboxChannel (every write segment NOTIFYs it).
#include <memory>

#include "events/outbox.hpp"
#include "storage/postgres/pg_shared.hpp"

namespace ninja::storage::postgres {

// The statements of one claim, run as one transaction: the plan settings, then the claim itself
// (whose result is the last). Exposed so a test can look at the plan the claim gets.
std::vector<Statement> claim_statements(size_t limit, const util::Lease& lease);

class PgOutbox final : public events::Outbox {
 public:
  explicit PgOutbox(std::shared_ptr<PgShared> shared);

  void claim(size_t limit, util::Lease lease, util::Completion<std::vector<events::Event>> done) override;
  void mark_published(std::vector<std::string> event_ids, int64_t now_ms, util::Done done) override;
  void oldest_unpublished_ms(util::Completion<std::optional<int64_t>> done) override;
  // A dedicated LISTEN connection on the pool's loop. Notices from stores in other schemas are
  // ignored; after the listener (re)connects it gives one notice, as some may have been missed.
  std::unique_ptr<events::Subscription> watch_commits(std::function<void()> notice) override;

 private:
  std::shared_ptr<PgShared> shared_;
};

}  // namespace ninja::storage::postgres
