#include <gtest/gtest.h>

#include <boost/json/array.hpp>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/items.hpp"
#include "storage/dynamodb/read_requests.hpp"

namespace ninja::storage::dynamodb {
namespace {

namespace json = boost::json;

const TableLayout kReadsLayout("p_");

TEST(DynamoDbReads, AGetIsStronglyConsistent) {
  const auto body = get_item_request(kReadsLayout.orders, "id", "0190-o");
  EXPECT_EQ(body.at("TableName").as_string(), "p_orders");
  EXPECT_EQ(body.at("Key").at("id").at("S").as_string(), "0190-o");
  EXPECT_TRUE(body.at("ConsistentRead").as_bool());
}

TEST(DynamoDbReads, APageAsksForOneMoreNewestFirstBelowTheCursor) {
  const auto first = list_users_request(kReadsLayout, {20, std::nullopt});
  EXPECT_EQ(first.at("IndexName").as_string(), "newest");
  EXPECT_EQ(first.at("KeyConditionExpression").as_string(), "#h = :h");
  EXPECT_EQ(first.at("ExpressionAttributeNames").at("#h").as_string(), "kind");
  EXPECT_EQ(first.at("ExpressionAttributeValues").at(":h").at("S").as_string(), "user");
  EXPECT_FALSE(first.at("ScanIndexForward").as_bool());
  EXPECT_EQ(first.at("Limit").as_int64(), 21);
  const auto next = list_orders_request(kReadsLayout, {5, std::string("0190-b")}, std::string("0190-u"));
  EXPECT_EQ(next.at("IndexName").as_string(), "by_user");
  EXPECT_EQ(next.at("KeyConditionExpression").as_string(), "#h = :h AND #id < :before");
  EXPECT_EQ(next.at("ExpressionAttributeValues").at(":h").at("S").as_string(), "0190-u");
  EXPECT_EQ(next.at("ExpressionAttributeValues").at(":before").at("S").as_string(), "0190-b");
  EXPECT_EQ(list_orders_request(kReadsLayout, {5, std::nullopt}, std::nullopt).at("IndexName").as_string(), "newest");
}

json::object answer_with(size_t users) {
  json::array items;
  for (size_t i = 0; i < users; ++i) {
    domain::User u;
    u.id = "u" + std::to_string(i);
    u.email = u.id + "@example.com";
    items.push_back(user_item(u));
  }
  return {{"Items", std::move(items)}, {"Count", users}};
}

// Whether a next page exists comes from the extra item, never from LastEvaluatedKey, which moto
// leaves out when a page is exactly full.
TEST(DynamoDbReads, HasMoreComesFromTheExtraItem) {
  const auto full = users_page(answer_with(21), 20);
  EXPECT_EQ(full.items.size(), 20u);
  EXPECT_TRUE(full.has_more);
  EXPECT_EQ(full.items.back().id, "u19");
  const auto exact = users_page(answer_with(20), 20);
  EXPECT_EQ(exact.items.size(), 20u);
  EXPECT_FALSE(exact.has_more);
  EXPECT_FALSE(users_page(answer_with(0), 20).has_more);
  EXPECT_THROW(users_page(json::object{{"Count", 0}}, 20), MalformedItem);
}

TEST(DynamoDbReads, AnEmailClaimIsNoUser) {
  domain::User u;
  u.id = "u1";
  u.email = "a@b.co";
  EXPECT_TRUE(is_user_item(user_item(u)));
  EXPECT_FALSE(is_user_item(email_claim_item(u)));
  EXPECT_FALSE(item_of(json::object{{"ConsumedCapacity", json::object{}}}));
  EXPECT_TRUE(item_of(json::object{{"Item", user_item(u)}}));
}

}  // namespace
}  // namespace ninja::storage::dynamodb
