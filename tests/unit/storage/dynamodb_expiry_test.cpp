#include <gtest/gtest.h>

#include "storage/dynamodb/expiry.hpp"

namespace ninja::storage::dynamodb {
namespace {

// The record is the notifier's deduplication by event id: it outlives any bus redelivery.
TEST(DynamoDbExpiry, RecordsAreKeptAtLeastAsLongAsABusKeepsAMessage) {
  const auto day = expiry_for(std::chrono::hours(24));
  EXPECT_EQ(day.events, std::chrono::hours(24));
  EXPECT_EQ(day.deliveries, kRedeliveryHorizon);
  EXPECT_EQ(kRedeliveryHorizon, std::chrono::seconds(1'209'600));  // SQS's longest MessageRetentionPeriod
  const auto month = expiry_for(std::chrono::hours(24 * 30));
  EXPECT_EQ(month.events, std::chrono::hours(24 * 30));
  EXPECT_EQ(month.deliveries, std::chrono::hours(24 * 30));
  const auto none = expiry_for(std::chrono::milliseconds::zero());
  EXPECT_EQ(none.events.count(), 0);
  EXPECT_EQ(none.deliveries.count(), 0);
}

TEST(DynamoDbExpiry, TheSecondIsRoundedUp) {
  EXPECT_EQ(expires_at(1000, std::chrono::milliseconds(1000)), 2);
  EXPECT_EQ(expires_at(1000, std::chrono::milliseconds(1001)), 3);
  EXPECT_EQ(expires_at(1000, std::chrono::milliseconds::zero()), std::nullopt);
}

}  // namespace
}  // namespace ninja::storage::dynamodb
