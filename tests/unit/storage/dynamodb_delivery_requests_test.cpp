#include <gtest/gtest.h>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/delivery_requests.hpp"

namespace ninja::storage::dynamodb {
namespace {

const TableLayout kDeliveryLayout("p_");
const Expiry kForEver{};

domain::Delivery delivery() {
  domain::Delivery d;
  d.event_id = "e1";
  d.channel = "webhook";
  d.order_id = "o1";
  d.user_id = "u1";
  d.attempts = 2;
  d.last_error = "HTTP 503";
  d.event_time_ms = 10;
  d.payload = R"({"id":"e1"})";
  d.created_at_ms = 11;
  d.updated_at_ms = 12;
  d.next_attempt_at_ms = 13;
  return d;
}

TEST(DynamoDbDeliveryItems, RoundTripEveryField) {
  auto d = delivery();
  d.status = domain::DeliveryStatus::delivered;
  d.delivered_at_ms = 14;
  d.next_attempt_at_ms.reset();
  const auto back = delivery_from_item(delivery_item(d, std::nullopt, kForEver));
  EXPECT_EQ(back.event_id, d.event_id);
  EXPECT_EQ(back.channel, d.channel);
  EXPECT_EQ(back.order_id, d.order_id);
  EXPECT_EQ(back.user_id, d.user_id);
  EXPECT_EQ(back.status, d.status);
  EXPECT_EQ(back.attempts, d.attempts);
  EXPECT_EQ(back.last_error, d.last_error);
  EXPECT_EQ(back.event_time_ms, d.event_time_ms);
  EXPECT_EQ(back.payload, d.payload);
  EXPECT_EQ(back.created_at_ms, d.created_at_ms);
  EXPECT_EQ(back.updated_at_ms, d.updated_at_ms);
  EXPECT_EQ(back.delivered_at_ms, d.delivered_at_ms);
  EXPECT_EQ(back.next_attempt_at_ms, std::nullopt);
}

TEST(DynamoDbDeliveryItems, OnlyScheduledOnesAreInTheDueIndexAndOnlyDeadOnesInTheDeadIndex) {
  auto d = delivery();
  auto item = delivery_item(d, std::nullopt, kForEver);
  EXPECT_TRUE(item.contains("due"));
  EXPECT_FALSE(item.contains("dead"));
  d.status = domain::DeliveryStatus::dead;
  d.next_attempt_at_ms.reset();
  item = delivery_item(d, std::nullopt, kForEver);
  EXPECT_FALSE(item.contains("due"));
  EXPECT_FALSE(item.contains("next_attempt_at"));
  EXPECT_TRUE(item.contains("dead"));
}

TEST(DynamoDbDeliveryItems, ANewDeliveryIsLeasedOnlyIfItNeedsAnAttempt) {
  const util::Lease lease{"intake", 100, 200};
  auto item = delivery_item(delivery(), lease, kForEver);
  EXPECT_EQ(item.at("lease_owner").at("S").as_string(), "intake");
  EXPECT_EQ(item.at("lease_until").at("N").as_string(), "200");
  auto final = delivery();
  final.status = domain::DeliveryStatus::skipped;
  final.next_attempt_at_ms.reset();
  EXPECT_FALSE(delivery_item(final, lease, kForEver).contains("lease_owner"));
}

TEST(DynamoDbDeliveryItems, AnUnknownStatusIsAMalformedItem) {
  auto item = delivery_item(delivery(), std::nullopt, kForEver);
  item["status"] = boost::json::object{{"S", "exploded"}};
  EXPECT_THROW(delivery_from_item(item), MalformedItem);
}

TEST(DynamoDbDeliveryRequests, NewOnesNeverOverwrite) {
  const auto put = put_new_delivery(kDeliveryLayout, kForEver, delivery(), std::nullopt);
  EXPECT_EQ(put.at("TableName").as_string(), "p_deliveries");
  EXPECT_EQ(put.at("ConditionExpression").as_string(), "attribute_not_exists(#event_id)");
}

TEST(DynamoDbDeliveryRequests, AClaimLeasesOnlyADueUnleasedDelivery) {
  const auto u = claim_delivery_update(kDeliveryLayout, "e1", "webhook", {"n1", 1000, 6000});
  EXPECT_EQ(u.at("ConditionExpression").as_string(),
            "attribute_exists(#due) AND #next <= :now AND (attribute_not_exists(#until) OR #until <= :now)");
  EXPECT_EQ(u.at("ExpressionAttributeValues").at(":now").at("N").as_string(), "1000");
  EXPECT_EQ(u.at("ReturnValues").as_string(), "ALL_NEW");
  const auto q = due_query(kDeliveryLayout, 1000);
  EXPECT_EQ(q.at("IndexName").as_string(), "due");
  EXPECT_TRUE(q.at("ScanIndexForward").as_bool());  // earliest due first
}

TEST(DynamoDbDeliveryRequests, AnAttemptRewritesOnlyAnExistingRecordWithoutItsLease) {
  const auto put = record_attempt_put(kDeliveryLayout, kForEver, delivery());
  EXPECT_EQ(put.at("ConditionExpression").as_string(), "attribute_exists(#event_id)");
  EXPECT_FALSE(put.at("Item").as_object().contains("lease_owner"));
}

TEST(DynamoDbDeliveryRequests, DeadLettersNewestFirstAndARequeueKeepsTheLastError) {
  EXPECT_FALSE(dead_query(kDeliveryLayout).at("ScanIndexForward").as_bool());
  const auto u = requeue_update(kDeliveryLayout, "e1", "email", 500);
  const std::string update(u.at("UpdateExpression").as_string());
  EXPECT_NE(update.find("REMOVE #dead, #owner, #until"), std::string::npos);
  EXPECT_EQ(update.find("last_error"), std::string::npos);
  EXPECT_EQ(u.at("ConditionExpression").as_string(), "attribute_exists(#dead)");
  EXPECT_TRUE(event_deliveries_query(kDeliveryLayout, "e1").at("ConsistentRead").as_bool());
}

// --- expiry (the table's TTL on final records) -------------------------------------------------

const Expiry kTwoWeeks{std::chrono::hours(24), std::chrono::hours(24 * 14)};
constexpr int64_t kOutcomeMs = 1'700'000'000'001;
constexpr const char* kTwoWeeksAfterOutcome = "1701209601";  // (kOutcomeMs + 14 days) / 1000, rounded up

domain::Delivery with_outcome(domain::DeliveryStatus status) {
  auto d = delivery();
  d.status = status;
  d.updated_at_ms = kOutcomeMs;
  if (status == domain::DeliveryStatus::failed) {
    d.next_attempt_at_ms = kOutcomeMs + 1000;
  } else {
    d.next_attempt_at_ms.reset();
  }
  return d;
}

TEST(DynamoDbDeliveryExpiry, AFinalOutcomeExpiresItsRetentionAfterItWasRecorded) {
  for (const auto status :
       {domain::DeliveryStatus::delivered, domain::DeliveryStatus::dead, domain::DeliveryStatus::skipped}) {
    const auto put = record_attempt_put(kDeliveryLayout, kTwoWeeks, with_outcome(status));
    const auto& item = put.at("Item").as_object();
    ASSERT_TRUE(item.contains("expires_at")) << domain::to_string(status);
    EXPECT_EQ(item.at("expires_at").at("N").as_string(), kTwoWeeksAfterOutcome) << domain::to_string(status);
  }
}

TEST(DynamoDbDeliveryExpiry, ADeliveryStillDueNeverExpires) {
  auto failed = with_outcome(domain::DeliveryStatus::failed);
  EXPECT_FALSE(record_attempt_put(kDeliveryLayout, kTwoWeeks, failed).at("Item").as_object().contains("expires_at"));
  auto pending = with_outcome(domain::DeliveryStatus::pending);
  pending.next_attempt_at_ms = kOutcomeMs;
  EXPECT_FALSE(put_new_delivery(kDeliveryLayout, kTwoWeeks, pending, util::Lease{"intake", 1, 2})
                   .at("Item")
                   .as_object()
                   .contains("expires_at"));
}

// The notifier records a skipped delivery (channel none, the user gone) final at once.
TEST(DynamoDbDeliveryExpiry, ADeliveryBornFinalExpiresToo) {
  const auto put = put_new_delivery(kDeliveryLayout, kTwoWeeks, with_outcome(domain::DeliveryStatus::skipped),
                                    util::Lease{"intake", 1, 2});
  EXPECT_EQ(put.at("Item").at("expires_at").at("N").as_string(), kTwoWeeksAfterOutcome);
}

TEST(DynamoDbDeliveryExpiry, WithoutARetentionNothingExpires) {
  for (const auto status :
       {domain::DeliveryStatus::delivered, domain::DeliveryStatus::dead, domain::DeliveryStatus::skipped}) {
    EXPECT_FALSE(
        record_attempt_put(kDeliveryLayout, expiry_for(std::chrono::milliseconds::zero()), with_outcome(status))
            .at("Item")
            .as_object()
            .contains("expires_at"));
  }
}

// A replayed dead letter is due again: it must not be deleted under the notifier.
TEST(DynamoDbDeliveryExpiry, ARequeuedDeadLetterLosesItsExpiry) {
  const auto u = requeue_update(kDeliveryLayout, "e1", "email", 500);
  EXPECT_NE(std::string(u.at("UpdateExpression").as_string()).find(" REMOVE #dead, #owner, #until, #expires"),
            std::string::npos);
  EXPECT_EQ(u.at("ExpressionAttributeNames").at("#expires").as_string(), "expires_at");
}

}  // namespace
}  // namespace ninja::storage::dynamodb
