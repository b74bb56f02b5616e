#pragma once
// The notifier's table: one delivery record per (event, channel), claimed with a lease while an
// attempt runs, so pending retries survive restarts and several notifiers can share the work.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/delivery.hpp"
#include "util/completion.hpp"
#include "util/lease.hpp"

namespace ninja::notify {

class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;

  // Inserts each delivery unless one with its (event_id, channel) exists (deduplication by event
  // id), in one transaction. Inserted deliveries that still need an attempt are leased to `lease`
  // so the caller may attempt them at once. Answers, per input, whether it was inserted.
  virtual void add_deliveries(std::vector<domain::Delivery> deliveries, util::Lease lease,
                              util::Completion<std::vector<bool>> done) = 0;
  // Claims up to `limit` deliveries whose next attempt is due by lease.now_ms and that no live
  // lease holds, earliest due first.
  virtual void claim_due(size_t limit, util::Lease lease, util::Completion<std::vector<domain::Delivery>> done) = 0;
  // Stores the outcome of an attempt (status, attempts, last_error, timestamps, next attempt) and
  // releases the lease.
  virtual void record_attempt(domain::Delivery delivery, util::Done done) = 0;

  virtual void deliveries_for_order(std::string order_id, util::Completion<std::vector<domain::Delivery>> done) = 0;
  // Dead deliveries, most recently failed first.
  virtual void dead_deliveries(size_t limit, util::Completion<std::vector<domain::Delivery>> done) = 0;
  // Makes dead deliveries (all, or those of one event) pending again with a fresh attempt budget,
  // due at `now_ms`. Answers how many.
  virtual void requeue_dead(std::optional<std::string> event_id, int64_t now_ms, util::Completion<size_t> done) = 0;
  // When the earliest scheduled attempt is due, if any.
  virtual void next_due_ms(util::Completion<std::optional<int64_t>> done) = 0;
};

}  // namespace ninja::notify
