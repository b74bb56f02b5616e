#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/items.hpp"
#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {
namespace {

namespace json = boost::json;

domain::User full_user() {
  domain::User u;
  u.id = "0190a0b0-0000-7000-8000-000000000001";
  u.name = "Hattori Hanzō";
  u.email = "Hanzo@Example.COM";
  u.phone = "+81312345678";
  u.notify_channel = domain::NotifyChannel::webhook;
  u.webhook_url = "https://hooks.example.com/ninja";
  u.webhook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3DHWJ1s9+3o=";
  u.created_at_ms = 1795498020123;
  return u;
}

domain::Order order_of(size_t lines, std::optional<std::string> note) {
  domain::Order o;
  o.id = "0190a0b0-0000-7000-8000-0000000000aa";
  o.user_id = "0190a0b0-0000-7000-8000-000000000001";
  for (size_t i = 0; i < lines; ++i) o.items.push_back({std::string(64, 'a' + i % 26), 1000, 100000000});
  o.currency = "JPY";
  o.total = static_cast<int64_t>(lines) * 1000 * 100000000;
  o.note = std::move(note);
  o.created_at_ms = 1795498020999;
  return o;
}

TEST(DynamoDbItems, AUserRoundTripsWithAndWithoutOptionalFields) {
  const auto user = full_user();
  const auto item = user_item(user);
  EXPECT_EQ(item.at("kind").at("S").as_string(), "user");  // what puts it in the `newest` index
  EXPECT_EQ(item.at("created_at").at("N").as_string(), "1795498020123");
  const auto back = user_from_item(item);
  EXPECT_EQ(back.id, user.id);
  EXPECT_EQ(back.name, user.name);
  EXPECT_EQ(back.email, user.email);
  EXPECT_EQ(back.phone, user.phone);
  EXPECT_EQ(back.notify_channel, user.notify_channel);
  EXPECT_EQ(back.webhook_url, user.webhook_url);
  EXPECT_EQ(back.webhook_secret, user.webhook_secret);
  EXPECT_EQ(back.created_at_ms, user.created_at_ms);

  domain::User bare = user;
  bare.phone.reset();
  bare.webhook_url.reset();
  bare.webhook_secret.reset();
  bare.notify_channel = domain::NotifyChannel::none;
  const auto bare_item = user_item(bare);
  EXPECT_FALSE(bare_item.contains("phone"));  // absent, not NULL: nothing to index or filter on
  const auto bare_back = user_from_item(bare_item);
  EXPECT_FALSE(bare_back.phone || bare_back.webhook_url || bare_back.webhook_secret);
  EXPECT_EQ(bare_back.notify_channel, domain::NotifyChannel::none);
}

TEST(DynamoDbItems, TheEmailClaimIsCaseInsensitiveAndStaysOutOfTheUserIndex) {
  EXPECT_EQ(email_claim_key("Hanzo@Example.COM"), "email#hanzo@example.com");
  const auto claim = email_claim_item(full_user());
  EXPECT_EQ(claim.at("id").at("S").as_string(), "email#hanzo@example.com");
  EXPECT_EQ(claim.at("user_id").at("S").as_string(), full_user().id);
  EXPECT_FALSE(claim.contains("kind"));
}

TEST(DynamoDbItems, AnOrderRoundTripsExactly) {
  for (const auto& note : {std::optional<std::string>{}, std::optional<std::string>{"line\nbreak \"quoted\" 🥷"}}) {
    const auto order = order_of(3, note);
    const auto item = order_item(order);
    EXPECT_EQ(item.at("items").at("L").as_array().size(), 3u);
    EXPECT_EQ(item.at("total").at("N").as_string(), "300000000000");
    const auto back = order_from_item(item);
    EXPECT_EQ(back.id, order.id);
    EXPECT_EQ(back.user_id, order.user_id);
    ASSERT_EQ(back.items.size(), 3u);
    EXPECT_EQ(back.items[2].sku, order.items[2].sku);
    EXPECT_EQ(back.items[2].quantity, 1000);
    EXPECT_EQ(back.items[2].unit_price, 100000000);
    EXPECT_EQ(back.currency, "JPY");
    EXPECT_EQ(back.total, order.total);
    EXPECT_EQ(back.status, "created");
    EXPECT_EQ(back.note, note);
    EXPECT_EQ(back.created_at_ms, order.created_at_ms);
  }
}

TEST(DynamoDbItems, IdempotencyRecordsCarryTheTtlInSecondsRoundedUp) {
  domain::IdempotencyRecord r{"key-id", "retry#1", "fp", "0190-id", R"({"id":"0190-id"})", 1000, 86400001};
  const auto item = idempotency_item(r);
  EXPECT_EQ(item.at("id").at("S").as_string(), "key-id#retry#1");
  EXPECT_EQ(item.at("expires_at").at("N").as_string(), "86401");  // never before the record expires
  const auto back = idempotency_from_item(item);
  EXPECT_EQ(back.scope, r.scope);
  EXPECT_EQ(back.key, r.key);
  EXPECT_EQ(back.fingerprint, r.fingerprint);
  EXPECT_EQ(back.resource_id, r.resource_id);
  EXPECT_EQ(back.body, r.body);
  EXPECT_EQ(back.created_at_ms, r.created_at_ms);
  EXPECT_EQ(back.expires_at_ms, r.expires_at_ms);
}

TEST(DynamoDbItems, AnOutboxEventIsPendingUntilPublished) {
  events::Event e{"0190-event", "com.ninja.order.created.v1", "0190-order", 1795498020123, R"({"specversion":"1.0"})"};
  const auto item = outbox_item(e);
  EXPECT_EQ(item.at("subject").at("S").as_string(), "0190-order");  // partition: the entity
  EXPECT_EQ(item.at("pending").at("S").as_string(), TableLayout::kPending);
  const auto back = event_from_item(item);
  EXPECT_EQ(back.id, e.id);
  EXPECT_EQ(back.type, e.type);
  EXPECT_EQ(back.subject, e.subject);
  EXPECT_EQ(back.time_ms, e.time_ms);
  EXPECT_EQ(back.payload, e.payload);
}

TEST(DynamoDbItems, AnItemOfTheWrongShapeNamesTheAttribute) {
  auto item = user_item(full_user());
  item.erase("email");
  EXPECT_THROW(
      {
        try {
          user_from_item(item);
        } catch (const MalformedItem& e) {
          EXPECT_STREQ(e.what(), "dynamodb item: attribute email is missing");
          throw;
        }
      },
      MalformedItem);
  item = user_item(full_user());
  item["created_at"] = string_value("yesterday");
  EXPECT_THROW(user_from_item(item), MalformedItem);
  item["created_at"] = json::object{{"N", "12x"}};
  EXPECT_THROW(user_from_item(item), MalformedItem);
  item = user_item(full_user());
  item["notify_channel"] = string_value("pigeon");
  EXPECT_THROW(user_from_item(item), MalformedItem);
  auto order = order_item(order_of(1, std::nullopt));
  order["items"] = list_value(json::array{string_value("not a map")});
  EXPECT_THROW(order_from_item(order), MalformedItem);
}

// Sizes as DynamoDB's developer guide counts them ("Item sizes and formats").
TEST(DynamoDbItemSize, CountsNamesValuesAndOverheads) {
  EXPECT_EQ(item_size(json::parse(R"({"id":{"S":"abc"}})").as_object()), 5u);
  EXPECT_EQ(item_size(json::parse(R"({"n":{"N":"123"}})").as_object()), 1u + 3u);
  EXPECT_EQ(item_size(json::parse(R"({"n":{"N":"1000"}})").as_object()), 1u + 2u);  // zeroes trimmed
  EXPECT_EQ(item_size(json::parse(R"({"n":{"N":"-0.0012"}})").as_object()), 1u + 2u);
  EXPECT_EQ(item_size(json::parse(R"({"b":{"BOOL":true},"z":{"NULL":true}})").as_object()), 4u);
  EXPECT_EQ(item_size(json::parse(R"({"m":{"M":{"a":{"S":"xy"}}}})").as_object()), 1u + 3u + (1u + 1u + 2u));
  EXPECT_EQ(item_size(json::parse(R"({"l":{"L":[{"N":"1"},{"S":"ab"}]}})").as_object()), 1u + 3u + 3u + 3u);
  EXPECT_EQ(item_size(json::parse(R"({"s":{"S":"ü"}})").as_object()), 1u + 2u);  // UTF-8 bytes
}

TEST(DynamoDbItemSize, TheLargestValidOrderFitsAnItem) {
  const auto item = order_item(order_of(100, std::string(500 * 4, 'x')));
  EXPECT_LT(item_size(item), kMaxItemBytes);
  EXPECT_GT(item_size(item), 100u * 64u);
}

}  // namespace
}  // namespace ninja::storage::dynamodb
