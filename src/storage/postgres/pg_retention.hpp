#pragma once
// Retention on PostgreSQL: one statement per batch, in a transaction of its own on the pool (not in
// the store's group commit, so order writes never wait behind it). Candidate events are locked SKIP
// LOCKED, so purges in several processes split the work instead of queueing on each other. Space is
// reclaimed by autovacuum, as for any deleted row.
#include <memory>

#include "storage/postgres/pg_shared.hpp"
#include "storage/retention.hpp"

namespace ninja::storage::postgres {

class PgRetention final : public Retention {
 public:
  explicit PgRetention(std::shared_ptr<PgShared> shared) : shared_(std::move(shared)) {}

  void purge_done(int64_t before_ms, size_t limit, util::Completion<Purged> done) override;

 private:
  std::shared_ptr<PgShared> shared_;
};

}  // namespace ninja::storage::postgres
