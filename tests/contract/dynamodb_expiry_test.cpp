// Retention on DynamoDB by the tables' time to live (storage/dynamodb/expiry.hpp), on the real
// moto_server (NINJA_TEST_MOTO_URL): opening the store, as `migrate` does, turns TTL on for the
// idempotency, outbox and deliveries tables — also on tables an older migrate made without it —
// and the ports stamp `expires_at` on what is done: a published event, a final delivery record;
// a requeued dead letter loses it. moto never deletes an expired item, so the stamps are read back
// from the items.
#include <gtest/gtest.h>

#include "dynamodb_backend.hpp"
#include "storage/dynamodb/expiry.hpp"
#include "storage/dynamodb/table_definitions.hpp"
#include "support/blocking_ports.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace ninja::contract {
namespace {

namespace json = boost::json;
using domain::Delivery;
using domain::DeliveryStatus;
using storage::dynamodb::TableLayout;

constexpr std::chrono::hours kDay{24};
constexpr int64_t kT = 1'800'000'000'123;  // "now" of the test's writes (ms)

// (done + keep) in epoch seconds, rounded up.
std::string seconds_after(int64_t done_ms, std::chrono::milliseconds keep) {
  return std::to_string((done_ms + keep.count() + 999) / 1000);
}

class DynamoDbExpiry : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = DynamoDbBackend::unavailable()) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(*reason);
    clients_ = ddb::moto_clients();
  }
  void TearDown() override {
    storage_.reset();
    if (clients_) ddb::delete_tables(prefix_);
  }

  storage::Storage& open(std::chrono::milliseconds retention) {
    storage_.reset();
    storage_ = std::make_unique<storage::Storage>(
        storage::dynamodb::dynamodb_storage(ddb::moto_clients(), prefix_, retention, nullptr));
    return *storage_;
  }

  json::object ttl_of(const std::string& table) {
    return clients_->call_blocking("DescribeTimeToLive", {{"TableName", table}})
        .at("TimeToLiveDescription")
        .as_object();
  }

  // The item of `key` in `table`, read consistently (fails the test when it is missing).
  json::object item(const std::string& table, json::object key) {
    auto answer =
        clients_->call_blocking("GetItem", {{"TableName", table}, {"Key", std::move(key)}, {"ConsistentRead", true}});
    if (!answer.contains("Item")) {
      ADD_FAILURE() << "no item in " << table;
      return {};
    }
    return answer.at("Item").as_object();
  }
  json::object event_item(const events::Event& e) {
    return item(layout_.outbox, {{"subject", {{"S", e.subject}}}, {"id", {{"S", e.id}}}});
  }
  json::object delivery_item(const Delivery& d) {
    return item(layout_.deliveries, {{"event_id", {{"S", d.event_id}}}, {"channel", {{"S", d.channel}}}});
  }

  // A user (and its event) in the store; its event published at kT.
  events::Event published_event() {
    domain::User u;
    u.id = ids_.next();
    u.name = "Ada";
    u.email = u.id + "@example.com";
    u.created_at_ms = kT;
    const events::Event event{ids_.next(), std::string(events::kUserCreated), u.id, kT, "{}"};
    testing_support::BlockingStore store(*storage_->store);
    EXPECT_EQ(store.create_user(u, event, nullptr), domain::CreateStatus::created);
    testing_support::BlockingOutbox outbox(*storage_->outbox);
    const auto claimed = outbox.claim(10, {"relay", kT, kT + 30'000});
    EXPECT_EQ(claimed.size(), 1U);
    outbox.mark_published({event.id}, kT);
    return event;
  }

  // A new delivery, due now (or final already, when `status` is).
  Delivery delivery(DeliveryStatus status = DeliveryStatus::pending) {
    Delivery d;
    d.event_id = ids_.next();
    d.channel = "webhook";
    d.order_id = "o-" + d.event_id;
    d.user_id = "u";
    d.status = status;
    d.payload = "{}";
    d.created_at_ms = d.updated_at_ms = kT;
    if (status == DeliveryStatus::pending) d.next_attempt_at_ms = kT;
    return d;
  }

  const std::string prefix_ = ddb::random_prefix();
  const TableLayout layout_{prefix_};
  util::UuidV7Generator ids_{util::system_millis};
  std::unique_ptr<storage::dynamodb::DynamoDbClients> clients_;
  std::unique_ptr<storage::Storage> storage_;
};

TEST_F(DynamoDbExpiry, MigrateTurnsTimeToLiveOnWhereItemsExpireAlsoOnTablesMadeWithout) {
  // An older migrate made the outbox and the deliveries without TTL.
  for (const auto& table : storage::dynamodb::table_definitions(layout_)) {
    if (table.name == layout_.outbox || table.name == layout_.deliveries) {
      clients_->call_blocking("CreateTable", table.create);
      ASSERT_NE(ttl_of(table.name).at("TimeToLiveStatus").as_string(), "ENABLED") << table.name;
    }
  }
  open(std::chrono::milliseconds::zero());
  open(kDay);  // and again (the next migrate, a restart): nothing changes, nothing fails
  for (const auto* name : {&layout_.idempotency, &layout_.outbox, &layout_.deliveries}) {
    const auto ttl = ttl_of(*name);
    EXPECT_EQ(ttl.at("TimeToLiveStatus").as_string(), "ENABLED") << *name;
    EXPECT_EQ(ttl.at("AttributeName").as_string(), "expires_at") << *name;
  }
  for (const auto* name : {&layout_.users, &layout_.orders, &layout_.api_keys}) {
    EXPECT_EQ(ttl_of(*name).at("TimeToLiveStatus").as_string(), "DISABLED") << *name;
  }
  // So serve leaves the idempotency records to the TTL and scans nothing every minute.
  EXPECT_TRUE(storage_->expires_idempotency_itself);
}

TEST_F(DynamoDbExpiry, APublishedEventExpiresTheRetentionAfterItWasPublished) {
  open(kDay);
  const auto event = published_event();
  const auto stored = event_item(event);
  EXPECT_FALSE(stored.contains("pending"));
  EXPECT_EQ(stored.at("published_at").at("N").as_string(), std::to_string(kT));
  ASSERT_TRUE(stored.contains("expires_at"));
  EXPECT_EQ(stored.at("expires_at").at("N").as_string(), seconds_after(kT, kDay));
}

// Records are the notifier's deduplication: kept at least kRedeliveryHorizon (14 days), however
// short the retention asked for (a day here).
TEST_F(DynamoDbExpiry, FinalDeliveryRecordsExpireAndThoseStillDueNever) {
  open(kDay);
  testing_support::BlockingDeliveries deliveries(*storage_->deliveries);
  auto due = delivery();
  auto skipped = delivery(DeliveryStatus::skipped);  // final from the start: channel none, say
  auto dead = delivery();
  ASSERT_EQ(deliveries.add_deliveries({due, skipped, dead}, {"intake", kT, kT + 1}),
            (std::vector<bool>{true, true, true}));
  EXPECT_FALSE(delivery_item(due).contains("expires_at"));
  EXPECT_EQ(delivery_item(skipped).at("expires_at").at("N").as_string(),
            seconds_after(kT, storage::dynamodb::kRedeliveryHorizon));

  // A failed attempt with another scheduled: still due, never expires.
  due.status = DeliveryStatus::failed;
  due.attempts = 1;
  due.updated_at_ms = kT + 1000;
  due.next_attempt_at_ms = kT + 5000;
  deliveries.record_attempt(due);
  EXPECT_FALSE(delivery_item(due).contains("expires_at"));
  // Delivered at last: expires from that outcome on.
  due.status = DeliveryStatus::delivered;
  due.attempts = 2;
  due.updated_at_ms = due.delivered_at_ms.emplace(kT + 6000);
  due.next_attempt_at_ms.reset();
  deliveries.record_attempt(due);
  EXPECT_EQ(delivery_item(due).at("expires_at").at("N").as_string(),
            seconds_after(kT + 6000, storage::dynamodb::kRedeliveryHorizon));

  // Dead, then replayed: due again, so its stamp goes (TTL must not delete it under the notifier).
  dead.status = DeliveryStatus::dead;
  dead.attempts = 1;
  dead.last_error = "HTTP 410";
  dead.updated_at_ms = kT + 2000;
  dead.next_attempt_at_ms.reset();
  deliveries.record_attempt(dead);
  EXPECT_EQ(delivery_item(dead).at("expires_at").at("N").as_string(),
            seconds_after(kT + 2000, storage::dynamodb::kRedeliveryHorizon));
  ASSERT_EQ(deliveries.requeue_dead(dead.event_id, kT + 3000), 1U);
  const auto requeued = delivery_item(dead);
  EXPECT_FALSE(requeued.contains("expires_at"));
  EXPECT_EQ(requeued.at("status").at("S").as_string(), "pending");
  EXPECT_TRUE(requeued.contains("due"));
}

TEST_F(DynamoDbExpiry, ALongerRetentionThanTheFloorIsTakenAsItIs) {
  const auto month = kDay * 30;
  open(month);
  testing_support::BlockingDeliveries deliveries(*storage_->deliveries);
  const auto skipped = delivery(DeliveryStatus::skipped);
  ASSERT_EQ(deliveries.add_deliveries({skipped}, {"intake", kT, kT + 1}), (std::vector<bool>{true}));
  EXPECT_EQ(delivery_item(skipped).at("expires_at").at("N").as_string(), seconds_after(kT, month));
  EXPECT_EQ(event_item(published_event()).at("expires_at").at("N").as_string(), seconds_after(kT, month));
}

TEST_F(DynamoDbExpiry, WithoutARetentionNothingExpires) {
  open(std::chrono::milliseconds::zero());
  EXPECT_FALSE(event_item(published_event()).contains("expires_at"));
  testing_support::BlockingDeliveries deliveries(*storage_->deliveries);
  auto d = delivery();
  ASSERT_EQ(deliveries.add_deliveries({d}, {"intake", kT, kT + 1}), (std::vector<bool>{true}));
  d.status = DeliveryStatus::delivered;
  d.attempts = 1;
  d.updated_at_ms = d.delivered_at_ms.emplace(kT + 1000);
  d.next_attempt_at_ms.reset();
  deliveries.record_attempt(d);
  const auto stored = delivery_item(d);
  EXPECT_EQ(stored.at("status").at("S").as_string(), "delivered");
  EXPECT_FALSE(stored.contains("expires_at"));
}

}  // namespace
}  // namespace ninja::contract
