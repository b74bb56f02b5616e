// DeliveryStore contract: one record per (event, channel), claimed with leases, updated per
// attempt, dead-lettered and replayed, all of it surviving a restart.
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

using domain::Delivery;
using domain::DeliveryStatus;
using util::Lease;

template <class Backend>
class Deliveries : public StoreContract<Backend> {
 protected:
  static constexpr int64_t kT0 = 1'800'000'000'000;
  static Lease lease(const char* owner, int64_t now = kT0, int64_t for_ms = 5000) { return {owner, now, now + for_ms}; }

  Delivery make_delivery(const std::string& order_id = "", int64_t due = kT0) {
    Delivery d;
    d.event_id = this->next_id();
    d.channel = "webhook";
    d.order_id = order_id.empty() ? this->next_id() : order_id;
    d.user_id = this->next_id();
    d.event_time_ms = kT0 - 10;
    d.payload = R"({"specversion":"1.0","id":")" + d.event_id + R"(","data":{"total":1}})";
    d.created_at_ms = kT0;
    d.updated_at_ms = kT0;
    d.next_attempt_at_ms = due;
    return d;
  }

  std::vector<bool> add(const std::vector<Delivery>& ds, const Lease& l = {"intake", 0, 0}) {
    return this->deliveries().add_deliveries(ds, l);
  }

  static std::vector<std::string> event_ids(const std::vector<Delivery>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(d.event_id);
    return out;
  }
};
TYPED_TEST_SUITE(Deliveries, StoreBackends, BackendName);

void expect_same_delivery(const Delivery& expected, const Delivery& actual) {
  SCOPED_TRACE("delivery " + expected.event_id);
  EXPECT_EQ(actual.event_id, expected.event_id);
  EXPECT_EQ(actual.channel, expected.channel);
  EXPECT_EQ(actual.order_id, expected.order_id);
  EXPECT_EQ(actual.user_id, expected.user_id);
  EXPECT_EQ(actual.status, expected.status);
  EXPECT_EQ(actual.attempts, expected.attempts);
  EXPECT_EQ(actual.last_error, expected.last_error);
  EXPECT_EQ(actual.event_time_ms, expected.event_time_ms);
  EXPECT_EQ(actual.payload, expected.payload);
  EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
  EXPECT_EQ(actual.updated_at_ms, expected.updated_at_ms);
  EXPECT_EQ(actual.delivered_at_ms, expected.delivered_at_ms);
  EXPECT_EQ(actual.next_attempt_at_ms, expected.next_attempt_at_ms);
}

TYPED_TEST(Deliveries, AddsOncePerEventAndChannel) {
  const auto d = this->make_delivery();
  EXPECT_EQ(this->add({d}), std::vector<bool>{true});
  auto again = d;
  again.attempts = 7;  // a redelivered event must not reset or overwrite the record
  EXPECT_EQ(this->add({again, this->make_delivery()}), (std::vector<bool>{false, true}));
  const auto stored = this->deliveries().deliveries_for_order(d.order_id);
  ASSERT_EQ(stored.size(), 1U);
  expect_same_delivery(d, stored[0]);
  EXPECT_TRUE(this->add({}).empty());
}

// What the notifier records: a delivery of an event of this store's own outbox, with its payload.
// Every read gives the payload back whole, however the backend keeps it, also after an attempt and
// as a dead letter.
TYPED_TEST(Deliveries, ADeliveryOfAnOutboxEventReadsBackWithTheEventsPayload) {
  const auto user = this->add_user();
  const auto order = this->make_order(user.id);
  const auto event = this->add_order(order);
  auto d = this->make_delivery(order.id, TestFixture::kT0);
  d.event_id = event.id;
  d.payload = event.payload;
  EXPECT_EQ(this->add({d}), std::vector<bool>{true});
  expect_same_delivery(d, this->deliveries().deliveries_for_order(order.id).at(0));

  auto claimed = this->deliveries().claim_due(10, this->lease("a", TestFixture::kT0 + 1));
  ASSERT_EQ(claimed.size(), 1U);
  EXPECT_EQ(claimed[0].payload, event.payload);
  claimed[0].status = DeliveryStatus::dead;
  claimed[0].attempts = 1;
  claimed[0].next_attempt_at_ms.reset();
  this->deliveries().record_attempt(claimed[0]);
  const auto dead = this->deliveries().dead_deliveries(10);
  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].payload, event.payload);
}

TYPED_TEST(Deliveries, NewDeliveriesAreLeasedToTheirIntake) {
  const auto d = this->make_delivery();
  this->add({d}, this->lease("intake", TestFixture::kT0, 1000));
  // Due now, but the intake holds it until its lease ends.
  EXPECT_TRUE(this->deliveries().claim_due(10, this->lease("other", TestFixture::kT0 + 999)).empty());
  EXPECT_EQ(this->deliveries().next_due_ms(), TestFixture::kT0 + 1000);
  EXPECT_EQ(this->event_ids(this->deliveries().claim_due(10, this->lease("other", TestFixture::kT0 + 1000))),
            this->event_ids({d}));
}

TYPED_TEST(Deliveries, ClaimsOnlyDueUnleasedAndUnfinished) {
  auto due = this->make_delivery("", TestFixture::kT0 - 5);
  auto later = this->make_delivery("", TestFixture::kT0 + 60'000);
  auto skipped = this->make_delivery();
  skipped.status = DeliveryStatus::skipped;
  skipped.next_attempt_at_ms.reset();
  auto due_too = this->make_delivery("", TestFixture::kT0);
  this->add({due, later, skipped, due_too});

  const auto claimed = this->deliveries().claim_due(10, this->lease("a"));
  EXPECT_EQ(this->event_ids(claimed), this->event_ids({due, due_too}));  // earliest due first
  expect_same_delivery(due, claimed[0]);
  EXPECT_TRUE(this->deliveries().claim_due(10, this->lease("b")).empty());
  EXPECT_EQ(this->event_ids(this->deliveries().claim_due(1, this->lease("b", TestFixture::kT0 + 60'000))),
            this->event_ids({due}));  // leases lapsed; limit honoured
}

TYPED_TEST(Deliveries, RecordingAnAttemptStoresItAndReleasesTheClaim) {
  auto d = this->make_delivery();
  this->add({d});
  ASSERT_EQ(this->deliveries().claim_due(10, this->lease("a")).size(), 1U);
  d.status = DeliveryStatus::failed;
  d.attempts = 1;
  d.last_error = "HTTP 503";
  d.updated_at_ms = TestFixture::kT0 + 1;
  d.next_attempt_at_ms = TestFixture::kT0 + 100;
  this->deliveries().record_attempt(d);
  expect_same_delivery(d, this->deliveries().deliveries_for_order(d.order_id).at(0));
  EXPECT_EQ(this->deliveries().next_due_ms(), TestFixture::kT0 + 100);
  // Released: another notifier may claim it as soon as it is due.
  EXPECT_EQ(this->deliveries().claim_due(10, this->lease("b", TestFixture::kT0 + 100)).size(), 1U);

  d.status = DeliveryStatus::delivered;
  d.attempts = 2;
  d.last_error.reset();
  d.delivered_at_ms = TestFixture::kT0 + 150;
  d.updated_at_ms = TestFixture::kT0 + 150;
  d.next_attempt_at_ms.reset();
  this->deliveries().record_attempt(d);
  expect_same_delivery(d, this->deliveries().deliveries_for_order(d.order_id).at(0));
  EXPECT_EQ(this->deliveries().next_due_ms(), std::nullopt);
  EXPECT_TRUE(this->deliveries().claim_due(10, this->lease("c", TestFixture::kT0 + 999'999)).empty());
}

TYPED_TEST(Deliveries, ListsAnOrdersDeliveriesOnly) {
  const std::string order = this->next_id();
  auto a = this->make_delivery(order);
  auto b = this->make_delivery(order);
  b.channel = "email";
  this->add({a, this->make_delivery(), b});
  EXPECT_EQ(this->event_ids(this->deliveries().deliveries_for_order(order)), this->event_ids({a, b}));
  EXPECT_TRUE(this->deliveries().deliveries_for_order(this->next_id()).empty());
}

TYPED_TEST(Deliveries, DeadLettersAreListedAndReplayed) {
  auto dead = [&](int64_t updated) {
    auto d = this->make_delivery();
    d.status = DeliveryStatus::dead;
    d.attempts = 3;
    d.last_error = "HTTP 400";
    d.updated_at_ms = updated;
    d.next_attempt_at_ms.reset();
    return d;
  };
  const auto older = dead(TestFixture::kT0 + 1);
  const auto newer = dead(TestFixture::kT0 + 2);
  const auto third = dead(TestFixture::kT0 + 3);
  this->add({older, newer, this->make_delivery(), third});
  EXPECT_EQ(this->event_ids(this->deliveries().dead_deliveries(10)), this->event_ids({third, newer, older}));
  EXPECT_EQ(this->event_ids(this->deliveries().dead_deliveries(1)), this->event_ids({third}));

  const int64_t now = TestFixture::kT0 + 10;
  EXPECT_EQ(this->deliveries().requeue_dead(std::string_view(newer.event_id), now), 1U);
  EXPECT_EQ(this->deliveries().requeue_dead(std::string_view(this->next_id()), now), 0U);
  const auto replayed = this->deliveries().deliveries_for_order(newer.order_id).at(0);
  EXPECT_EQ(replayed.status, DeliveryStatus::pending);
  EXPECT_EQ(replayed.attempts, 0);  // a fresh attempt budget
  EXPECT_EQ(replayed.next_attempt_at_ms, now);
  EXPECT_EQ(replayed.last_error, newer.last_error);  // kept until the next attempt says otherwise
  EXPECT_EQ(this->event_ids(this->deliveries().dead_deliveries(10)), this->event_ids({third, older}));

  EXPECT_EQ(this->deliveries().requeue_dead(std::nullopt, now), 2U);
  EXPECT_TRUE(this->deliveries().dead_deliveries(10).empty());
  EXPECT_EQ(this->deliveries().requeue_dead(std::nullopt, now), 0U);
}

TYPED_TEST(Deliveries, PendingRetriesSurviveARestart) {
  auto d = this->make_delivery();
  this->add({d}, this->lease("crashed", TestFixture::kT0, 1000));
  this->reopen();
  const auto claimed = this->deliveries().claim_due(10, this->lease("restarted", TestFixture::kT0 + 1000));
  ASSERT_EQ(claimed.size(), 1U);
  expect_same_delivery(d, claimed[0]);
}

}  // namespace
}  // namespace ninja::contract
