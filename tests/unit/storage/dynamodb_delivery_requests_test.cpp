#include <gtest/gtest.h>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/delivery_requests.hpp"

namespace ninja::storage::dynamodb {
namespace {

const TableLayout kDeliveryLayout("p_");

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
  const auto back = delivery_from_item(delivery_item(d, std::nullopt));
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
  auto item = delivery_item(d, std::nullopt);
  EXPECT_TRUE(item.contains("due"));
  EXPECT_FALSE(item.contains("dead"));
  d.status = domain::DeliveryStatus::dead;
  d.next_attempt_at_ms.reset();
  item = delivery_item(d, std::nullopt);
  EXPECT_FALSE(item.contains("due"));
  EXPECT_FALSE(item.contains("next_attempt_at"));
  EXPECT_TRUE(item.contains("dead"));
}

TEST(DynamoDbDeliveryItems, ANewDeliveryIsLeasedOnlyIfItNeedsAnAttempt) {
  const util::Lease lease{"intake", 100, 200};
  auto item = delivery_item(delivery(), lease);
  EXPECT_EQ(item.at("lease_owner").at("S").as_string(), "intake");
  EXPECT_EQ(item.at("lease_until").at("N").as_string(), "200");
  auto final = delivery();
  final.status = domain::DeliveryStatus::skipped;
  final.next_attempt_at_ms.reset();
  EXPECT_FALSE(delivery_item(final, lease).contains("lease_owner"));
}

TEST(DynamoDbDeliveryItems, AnUnknownStatusIsAMalformedItem) {
  auto item = delivery_item(delivery(), std::nullopt);
  item["status"] = boost::json::object{{"S", "exploded"}};
  EXPECT_THROW(delivery_from_item(item), MalformedItem);
}

TEST(DynamoDbDeliveryRequests, NewOnesNeverOverwrite) {
  const auto put = put_new_delivery(kDeliveryLayout, delivery(), std::nullopt);
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
  const auto put = record_attempt_put(kDeliveryLayout, delivery());
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

}  // namespace
}  // namespace ninja::storage::dynamodb
