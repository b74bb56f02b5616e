// Retention contract (storage::Retention, on every backend): a published event whose deliveries are
// all final (delivered, dead, skipped), older than the cut-off, goes with its deliveries; an
// unpublished event, one with a delivery still due, an OrderCreated no notifier has recorded yet,
// and a newer one stay until they are done too;
// batches honour their limit, oldest first; orders and other events' deliveries are never touched.
// What stayed is observed through the ports: it is purged as soon as it becomes done.
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

using domain::Delivery;
using domain::DeliveryStatus;

template <class Backend>
class Retention : public StoreContract<Backend> {
 protected:
  static constexpr int64_t kT0 = 1'800'000'000'000;  // "now"; the cut-off is kT0 - kDayMs
  static constexpr int64_t kDayMs = 24 * 3600 * 1000;

  void SetUp() override {
    StoreContract<Backend>::SetUp();
    if (this->HasFatalFailure() || this->IsSkipped()) return;
    ASSERT_NE(this->ports().retention, nullptr) << "the backend offers no retention";
    // Nor does it expire idempotency records itself: serve purges them.
    EXPECT_FALSE(this->ports().expires_idempotency_itself);
    // The user's created event is the oldest of all (seq follows commit time, as in production).
    user_ = this->make_user();
    const auto event = events::make_event(this->next_id(), events::kUserCreated, "/v1/users", user_.id,
                                          kT0 - 10 * kDayMs, boost::json::serialize(domain::to_json(user_)));
    ASSERT_EQ(this->store().create_user(user_, event, nullptr), CreateStatus::created);
  }

  storage::Purged purge(int64_t before_ms, size_t limit = 100) {
    return util::await_result<storage::Purged>(
        [&](auto done) { this->ports().retention->purge_done(before_ms, limit, std::move(done)); });
  }

  // An order whose event committed at `event_ms`.
  std::pair<domain::Order, events::Event> order_at(int64_t event_ms) {
    auto order = this->make_order(user_.id);
    auto event = events::make_event(this->next_id(), events::kOrderCreated, "/v1/orders", order.id, event_ms,
                                    boost::json::serialize(domain::to_json(order)));
    EXPECT_EQ(this->store().create_order(order, event, nullptr), CreateStatus::created);
    return {order, event};
  }

  Delivery delivery_for(const domain::Order& order, const events::Event& event, DeliveryStatus status) {
    Delivery d;
    d.event_id = event.id;
    d.channel = "email";
    d.order_id = order.id;
    d.user_id = order.user_id;
    d.status = status;
    d.attempts = status == DeliveryStatus::pending ? 0 : 1;
    d.event_time_ms = event.time_ms;
    d.payload = event.payload;
    d.created_at_ms = event.time_ms;
    d.updated_at_ms = event.time_ms;
    if (status == DeliveryStatus::delivered) d.delivered_at_ms = event.time_ms + 5;
    if (status == DeliveryStatus::pending) d.next_attempt_at_ms = event.time_ms;  // due: not final
    EXPECT_EQ(this->deliveries().add_deliveries({d}, {"intake", 0, 0}), std::vector<bool>{true});
    return d;
  }

  size_t deliveries_of(const domain::Order& order) { return this->deliveries().deliveries_for_order(order.id).size(); }

  domain::User user_;
};
TYPED_TEST_SUITE(Retention, RetentionBackends, BackendName);

TYPED_TEST(Retention, DeletesOldDoneEventsWithTheirDeliveriesAndKeepsTheRest) {
  constexpr int64_t kT0 = TestFixture::kT0;
  constexpr int64_t kCut = kT0 - TestFixture::kDayMs;
  // Committed in time order, as events are.
  const auto [delivered, delivered_event] = this->order_at(kCut - 5000);
  const auto [dead, dead_event] = this->order_at(kCut - 4000);
  const auto [unread, unread_event] = this->order_at(kCut - 3000);  // published, no notifier has it yet
  const auto [pending, pending_event] = this->order_at(kCut - 2000);
  this->outbox_view().drain();  // these, and the user's event, are published
  const auto [unpublished, unpublished_event] = this->order_at(kCut - 1000);
  const auto [stranger, stranger_event] = this->order_at(kCut - 900);
  const auto [fresh, fresh_event] = this->order_at(kCut + 1000);  // inside the retention window
  // Only the fresh one is published; the other two stay with the relay.
  const util::Lease relay{"relay", kT0, kT0 + 1};
  ASSERT_EQ(this->outbox_view().claim(10, relay).size(), 3U);
  this->outbox_view().mark_published({fresh_event.id}, kT0);

  this->delivery_for(delivered, delivered_event, DeliveryStatus::delivered);
  this->delivery_for(dead, dead_event, DeliveryStatus::dead);
  auto due = this->delivery_for(pending, pending_event, DeliveryStatus::pending);
  this->delivery_for(fresh, fresh_event, DeliveryStatus::delivered);
  // A delivery of an event this outbox does not hold (its order is the stranger's): never touched.
  this->delivery_for(
      stranger,
      events::make_event(this->next_id(), events::kOrderCreated, "/v1/orders", stranger.id, kCut - 9000, "{}"),
      DeliveryStatus::delivered);

  const auto first = this->purge(kCut);
  EXPECT_EQ(first.events, 3U);      // the user's (no delivery for its type), delivered, dead
  EXPECT_EQ(first.deliveries, 2U);  // delivered's and dead's
  EXPECT_EQ(this->deliveries_of(delivered), 0U);
  EXPECT_EQ(this->deliveries_of(dead), 0U);
  EXPECT_EQ(this->deliveries_of(pending), 1U);
  EXPECT_EQ(this->deliveries_of(fresh), 1U);
  EXPECT_EQ(this->deliveries_of(stranger), 1U);
  for (const auto* order : {&delivered, &dead, &unread, &pending, &unpublished, &stranger, &fresh}) {
    EXPECT_TRUE(this->store().find_order(order->id).has_value()) << "orders are never purged";
  }
  EXPECT_TRUE(this->store().find_user(this->user_.id).has_value());
  EXPECT_EQ(this->purge(kCut).events, 0U);  // nothing else is done yet

  // The notifier records the unread one (skipped: its user wants none) and the pending delivery
  // becomes final: both events go with their deliveries.
  this->delivery_for(unread, unread_event, DeliveryStatus::skipped);
  due.status = DeliveryStatus::delivered;
  due.attempts = 1;
  due.delivered_at_ms = kT0;
  due.updated_at_ms = kT0;
  due.next_attempt_at_ms.reset();
  this->deliveries().record_attempt(due);
  const auto second = this->purge(kCut);
  EXPECT_EQ(second.events, 2U);
  EXPECT_EQ(second.deliveries, 2U);
  EXPECT_EQ(this->deliveries_of(pending), 0U);
  EXPECT_EQ(this->deliveries_of(unread), 0U);

  // The unpublished two go once published and notified.
  EXPECT_EQ(this->outbox_view().drain().size(), 2U);
  this->delivery_for(unpublished, unpublished_event, DeliveryStatus::delivered);
  this->delivery_for(stranger, stranger_event, DeliveryStatus::delivered);
  const auto third = this->purge(kCut);
  EXPECT_EQ(third.events, 2U);
  EXPECT_EQ(third.deliveries, 2U);
  EXPECT_EQ(this->deliveries_of(stranger), 1U);

  // The fresh one goes once the cut-off passes it; then nothing is left to purge.
  const auto later = this->purge(kCut + 2000);
  EXPECT_EQ(later.events, 1U);
  EXPECT_EQ(later.deliveries, 1U);
  EXPECT_EQ(this->purge(kT0 + TestFixture::kDayMs).events, 0U);
  EXPECT_EQ(this->deliveries_of(stranger), 1U);
}

TYPED_TEST(Retention, PurgesInBatchesOfTheLimitOldestFirst) {
  constexpr int64_t kCut = TestFixture::kT0 - TestFixture::kDayMs;
  std::vector<domain::Order> orders;
  for (int i = 0; i < 5; ++i) {
    auto [order, event] = this->order_at(kCut - 10'000 + i);
    this->delivery_for(order, event, DeliveryStatus::delivered);
    orders.push_back(order);
  }
  this->outbox_view().drain();
  const auto first = this->purge(kCut, 2);  // the user's event and the oldest order's
  EXPECT_EQ(first.events, 2U);
  EXPECT_EQ(first.deliveries, 1U);
  EXPECT_EQ(this->deliveries_of(orders[0]), 0U);
  EXPECT_EQ(this->deliveries_of(orders[1]), 1U);
  const auto second = this->purge(kCut, 2);
  EXPECT_EQ(second.events, 2U);
  EXPECT_EQ(second.deliveries, 2U);
  EXPECT_EQ(this->deliveries_of(orders[2]), 0U);
  EXPECT_EQ(this->deliveries_of(orders[3]), 1U);
  EXPECT_EQ(this->purge(kCut, 2).events, 2U);
  EXPECT_EQ(this->purge(kCut, 2).events, 0U);
  EXPECT_EQ(this->purge(kCut, 0).events, 0U);
  for (const auto& order : orders) EXPECT_TRUE(this->store().find_order(order.id).has_value());
}

TYPED_TEST(Retention, AnEventInsideTheWindowHoldsBackLaterOnes) {
  // The purge walks in commit order and stops at the first event inside the window, so a caught-up
  // purge reads a handful of rows. An event committed later with an older time (a clock stepped
  // back) therefore waits until the one before it is old enough: late, never lost, never early.
  constexpr int64_t kCut = TestFixture::kT0 - TestFixture::kDayMs;
  for (const int64_t at : {kCut + 500, kCut - 500}) {
    const auto [order, event] = this->order_at(at);
    this->delivery_for(order, event, DeliveryStatus::delivered);
  }
  this->outbox_view().drain();
  EXPECT_EQ(this->purge(kCut).events, 1U);  // the user's event only
  EXPECT_EQ(this->purge(kCut + 501).events, 2U);
}

}  // namespace
}  // namespace ninja::contract
