#pragma once
// The notifier's table: one delivery record per (event, channel), claimed with a lease while an
// attempt runs, so pending retries survive restarts and several notifiers can share the work.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/delivery.hpp"
#include "storage/lease.hpp"

namespace ninja::storage {

class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;

  // Inserts each delivery unless one with its (event_id, channel) exists (deduplication by event
  // id), in one transaction. Inserted deliveries that still need an attempt are leased to `lease`
  // so the caller may attempt them at once. Returns, per input, whether it was inserted.
  virtual std::vector<bool> add_deliveries(const std::vector<domain::Delivery>& deliveries, const Lease& lease) = 0;
  // Claims up to `limit` deliveries whose next attempt is due by lease.now_ms and that no live
  // lease holds, earliest due first.
  virtual std::vector<domain::Delivery> claim_due(size_t limit, const Lease& lease) = 0;
  // Stores the outcome of an attempt (status, attempts, last_error, timestamps, next attempt) and
  // releases the lease.
  virtual void record_attempt(const domain::Delivery& delivery) = 0;

  virtual std::vector<domain::Delivery> deliveries_for_order(std::string_view order_id) = 0;
  // Dead deliveries, most recently failed first.
  virtual std::vector<domain::Delivery> dead_deliveries(size_t limit) = 0;
  // Makes dead deliveries (all, or those of one event) pending again with a fresh attempt budget,
  // due at `now_ms`. Returns how many.
  virtual size_t requeue_dead(std::optional<std::string_view> event_id, int64_t now_ms) = 0;
  // When the earliest scheduled attempt is due, if any.
  virtual std::optional<int64_t> next_due_ms() = 0;
};

}  // namespace ninja::storage
