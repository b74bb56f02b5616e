#include <gtest/gtest.h>

#include "storage/dynamodb/outbox_requests.hpp"

namespace ninja::storage::dynamodb {
namespace {

const TableLayout kOutboxLayout("p_");

TEST(DynamoDbOutboxRequests, UnpublishedEventsComeOldestFirstFromTheSparseIndex) {
  const auto q = unpublished_query(kOutboxLayout, 64);
  EXPECT_EQ(q.at("TableName").as_string(), "p_outbox");
  EXPECT_EQ(q.at("IndexName").as_string(), "unpublished");
  EXPECT_TRUE(q.at("ScanIndexForward").as_bool());
  EXPECT_EQ(q.at("Limit").as_int64(), 64);
}

// The index may lag; the subject's partition is the truth about which event comes first.
TEST(DynamoDbOutboxRequests, TheSubjectsOldestPendingEventIsReadConsistently) {
  const auto q = oldest_pending_of_subject_query(kOutboxLayout, "0190-order");
  EXPECT_FALSE(q.contains("IndexName"));
  EXPECT_TRUE(q.at("ConsistentRead").as_bool());
  EXPECT_EQ(q.at("ExpressionAttributeValues").at(":subject").at("S").as_string(), "0190-order");
  EXPECT_EQ(q.at("FilterExpression").as_string(), "attribute_exists(#pending)");
  EXPECT_FALSE(q.contains("Limit"));  // Limit counts before the filter: it could hide the pending one
}

TEST(DynamoDbOutboxRequests, AClaimLeasesOnlyAFreeUnpublishedEvent) {
  const auto u = claim_update(kOutboxLayout, "s", "e", {"relay-1", 1000, 31000});
  EXPECT_EQ(u.at("Key").at("subject").at("S").as_string(), "s");
  EXPECT_EQ(u.at("Key").at("id").at("S").as_string(), "e");
  EXPECT_EQ(u.at("ConditionExpression").as_string(),
            "attribute_exists(#pending) AND (attribute_not_exists(#until) OR #until <= :now OR #owner = :owner)");
  EXPECT_EQ(u.at("ReturnValues").as_string(), "ALL_NEW");
  EXPECT_EQ(u.at("ExpressionAttributeValues").at(":owner").at("S").as_string(), "relay-1");
  EXPECT_EQ(u.at("ExpressionAttributeValues").at(":until").at("N").as_string(), "31000");
  EXPECT_EQ(u.at("ExpressionAttributeValues").at(":now").at("N").as_string(), "1000");
}

TEST(DynamoDbOutboxRequests, AnUnpublishedEventIsFoundByIdOnTheIndex) {
  const auto q = unpublished_event_query(kOutboxLayout, "e-7");
  EXPECT_EQ(q.at("IndexName").as_string(), "unpublished");
  EXPECT_EQ(q.at("KeyConditionExpression").as_string(), "#pending = :pending AND #id = :id");
  EXPECT_EQ(q.at("ExpressionAttributeValues").at(":id").at("S").as_string(), "e-7");
}

TEST(DynamoDbOutboxRequests, PublishedLeavesTheIndexAndIsNeverRecreated) {
  const auto u = mark_published_update(kOutboxLayout, Expiry{}, "s", "e", 5);
  EXPECT_EQ(u.at("UpdateExpression").as_string(), "REMOVE #pending, #owner, #until SET #published = :now");
  EXPECT_EQ(u.at("ConditionExpression").as_string(), "attribute_exists(#id)");
}

// The table's TTL deletes a published event once `expires_at` (epoch seconds) has passed.
TEST(DynamoDbOutboxRequests, WithARetentionPublishedStampsTheSecondItMayExpire) {
  const Expiry expiry{std::chrono::hours(24), std::chrono::hours(24 * 14)};
  const auto u = mark_published_update(kOutboxLayout, expiry, "s", "e", 1'700'000'000'250);
  EXPECT_EQ(u.at("UpdateExpression").as_string(),
            "REMOVE #pending, #owner, #until SET #published = :now, #expires = :expires");
  EXPECT_EQ(u.at("ExpressionAttributeNames").at("#expires").as_string(), "expires_at");
  // A day after it was published, rounded up to the next second: never before the retention passed.
  EXPECT_EQ(u.at("ExpressionAttributeValues").at(":expires").at("N").as_string(), "1700086401");
  EXPECT_EQ(u.at("ExpressionAttributeValues").at(":now").at("N").as_string(), "1700000000250");
}

TEST(DynamoDbOutboxRequests, WithoutARetentionAPublishedEventNeverExpires) {
  const auto u = mark_published_update(kOutboxLayout, expiry_for(std::chrono::milliseconds::zero()), "s", "e", 5);
  EXPECT_FALSE(u.at("ExpressionAttributeNames").as_object().contains("#expires"));
  EXPECT_FALSE(u.at("ExpressionAttributeValues").as_object().contains(":expires"));
}

}  // namespace
}  // namespace ninja::storage::dynamodb
