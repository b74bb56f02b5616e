#pragma once
// The notifier's delivery records on PostgreSQL: inserted once per (event, channel) with ON
// CONFLICT DO NOTHING (deduplication by event id), claimed FOR UPDATE SKIP LOCKED under a lease so
// several notifiers share the work without waiting for each other.
#include <memory>

#include "notify/delivery_store.hpp"
#include "storage/postgres/pg_shared.hpp"

namespace ninja::storage::postgres {

class PgDeliveries final : public notify::DeliveryStore {
 public:
  explicit PgDeliveries(std::shared_ptr<PgShared> shared);

  void add_deliveries(std::vector<domain::Delivery> deliveries, util::Lease lease,
                      util::Completion<std::vector<bool>> done) override;
  void claim_due(size_t limit, util::Lease lease, util::Completion<std::vector<domain::Delivery>> done) override;
  void record_attempt(domain::Delivery delivery, util::Done done) override;
  void deliveries_for_order(std::string order_id, util::Completion<std::vector<domain::Delivery>> done) override;
  void dead_deliveries(size_t limit, util::Completion<std::vector<domain::Delivery>> done) override;
  void requeue_dead(std::optional<std::string> event_id, int64_t now_ms, util::Completion<size_t> done) override;
  void next_due_ms(util::Completion<std::optional<int64_t>> done) override;

 private:
  std::shared_ptr<PgShared> shared_;
};

}  // namespace ninja::storage::postgres
