#pragma once
// The notifier's delivery records on DynamoDB (<P>deliveries; delivery_requests.hpp has the items
// and conditions). New deliveries go in with one TransactWriteItems, each Put on the condition that
// its (event, channel) is new: the CancellationReasons name the ones that existed, and the others
// are written again without them, so the answer per input is exact. A transaction holds at most
// 100 parts, so a larger batch (the relay hands over up to 256 events) takes one per 100, in
// order: should one fail, the earlier ones stay written, and the notifier's retry of the batch
// finds them deduplicated (answered false) and their leases running out, to be claimed as due.
// Claims read the sparse `due`
// index earliest first and lease each delivery with a conditional UpdateItem, so notifiers in
// several processes never attempt one delivery at once and a crashed one's leases run out.
#include <memory>

#include "notify/delivery_store.hpp"
#include "storage/dynamodb/dynamodb_shared.hpp"

namespace ninja::storage::dynamodb {

class DynamoDbDeliveries final : public notify::DeliveryStore {
 public:
  explicit DynamoDbDeliveries(std::shared_ptr<DynamoDbShared> shared);

  void add_deliveries(std::vector<domain::Delivery> deliveries, util::Lease lease,
                      util::Completion<std::vector<bool>> done) override;
  void claim_due(size_t limit, util::Lease lease, util::Completion<std::vector<domain::Delivery>> done) override;
  void record_attempt(domain::Delivery delivery, util::Done done) override;
  void deliveries_for_order(std::string order_id, util::Completion<std::vector<domain::Delivery>> done) override;
  void dead_deliveries(size_t limit, util::Completion<std::vector<domain::Delivery>> done) override;
  // All dead letters at once: up to kMaxRequeued per call (an operator runs it again for more).
  void requeue_dead(std::optional<std::string> event_id, int64_t now_ms, util::Completion<size_t> done) override;
  void next_due_ms(util::Completion<std::optional<int64_t>> done) override;

  static constexpr size_t kMaxRequeued = 10'000;

 private:
  std::shared_ptr<DynamoDbShared> shared_;
};

}  // namespace ninja::storage::dynamodb
