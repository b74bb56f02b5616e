#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "domain/representation.hpp"

namespace ninja::domain {
namespace {

User sample_user() {
  User u;
  u.id = "0190f2a4-1b2c-7d3e-8f40-123456789abc";
  u.name = "Ada";
  u.email = "ada@example.com";
  u.notify_channel = NotifyChannel::webhook;
  u.webhook_url = "https://hooks.example.com/x";
  u.webhook_secret = "whsec_c2VjcmV0";
  u.created_at_ms = 1795498020123;
  return u;
}

TEST(UserJson, HasExactlyTheContractFields) {
  const auto json = to_json(sample_user());
  EXPECT_EQ(json.size(), 7u);
  EXPECT_EQ(json.at("id"), "0190f2a4-1b2c-7d3e-8f40-123456789abc");
  EXPECT_EQ(json.at("name"), "Ada");
  EXPECT_EQ(json.at("email"), "ada@example.com");
  EXPECT_TRUE(json.at("phone").is_null());
  EXPECT_EQ(json.at("notify_channel"), "webhook");
  EXPECT_EQ(json.at("webhook_url"), "https://hooks.example.com/x");
  EXPECT_EQ(json.at("created_at"), "2026-11-24T05:27:00.123Z");
  EXPECT_FALSE(json.contains("webhook_secret"));
}

TEST(UserJson, SecretOnlyWhenShown) {
  const auto json = to_json(sample_user(), SecretVisibility::shown);
  EXPECT_EQ(json.size(), 8u);
  EXPECT_EQ(json.at("webhook_secret"), "whsec_c2VjcmV0");

  auto no_secret = sample_user();
  no_secret.webhook_secret.reset();
  EXPECT_FALSE(to_json(no_secret, SecretVisibility::shown).contains("webhook_secret"));
}

TEST(UserJson, OptionalFieldsAreNullOrValue) {
  auto u = sample_user();
  u.phone = "+15551234567";
  u.webhook_url.reset();
  const auto json = to_json(u);
  EXPECT_EQ(json.at("phone"), "+15551234567");
  EXPECT_TRUE(json.at("webhook_url").is_null());
}

TEST(OrderJson, HasExactlyTheContractFields) {
  Order o;
  o.id = "0190f2a4-1b2c-7d3e-8f40-000000000001";
  o.user_id = "0190f2a4-1b2c-7d3e-8f40-123456789abc";
  o.items = {{"A", 2, 1999}, {"B", 1, 0}};
  o.currency = "EUR";
  o.total = 3998;
  o.created_at_ms = 0;
  const auto json = to_json(o);
  EXPECT_EQ(json.size(), 8u);
  EXPECT_EQ(json.at("status"), "created");
  EXPECT_EQ(json.at("currency"), "EUR");
  EXPECT_TRUE(json.at("total").is_int64());
  EXPECT_EQ(json.at("total").as_int64(), 3998);
  EXPECT_TRUE(json.at("note").is_null());
  EXPECT_EQ(json.at("created_at"), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(boost::json::serialize(json.at("items")),
            R"([{"sku":"A","quantity":2,"unit_price":1999},{"sku":"B","quantity":1,"unit_price":0}])");
  o.note = "leave at door";
  EXPECT_EQ(to_json(o).at("note"), "leave at door");
}

TEST(OrderItemsJson, RoundTripsThroughTheStoredText) {
  std::vector<OrderItem> items = {{"A", 2, 1999}, {"B-\u00e9", 1, 0}};
  for (int i = 0; i < 40; ++i) items.push_back({"SKU-" + std::to_string(i), i + 1, 100 * i});  // past the stack buffer
  const auto back = items_from_json(boost::json::serialize(items_to_json(items)));
  ASSERT_EQ(back.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(back[i].sku, items[i].sku);
    EXPECT_EQ(back[i].quantity, items[i].quantity);
    EXPECT_EQ(back[i].unit_price, items[i].unit_price);
  }
  EXPECT_TRUE(items_from_json("[]").empty());
  EXPECT_ANY_THROW(items_from_json("{\"sku\":1}"));
}

// What a store splices: the order's fields as columns, its items as the text items_to_json wrote.
std::string spliced(const Order& o) {
  const std::string items = boost::json::serialize(items_to_json(o.items));
  std::optional<std::string_view> note;
  if (o.note) note = *o.note;
  return order_json({o.id, o.user_id, items, o.currency, o.total, o.status, note, o.created_at_ms});
}

TEST(OrderJsonText, IsByteForByteWhatSerializingTheTreeWrites) {
  Order o;
  o.id = "0190f2a4-1b2c-7d3e-8f40-000000000001";
  o.user_id = "0190f2a4-1b2c-7d3e-8f40-123456789abc";
  o.items = {{"A", 2, 1999}, {"ninja-star/\xf0\x9f\xa5\xb7 \"gold\"", 1000, 100'000'000}, {"tab\there\\", 1, 0}};
  o.currency = "JPY";
  o.total = 100'000'003'998;
  o.created_at_ms = 1795498020123;
  EXPECT_EQ(spliced(o), boost::json::serialize(to_json(o)));  // no note: null

  // Notes that need every kind of escape the serializer writes, and some that need none.
  const std::vector<std::string> notes = {
      "",
      "leave at the door",
      "\"quoted\" and back\\slash",
      "line\nbreak\r\ttab\b\f",
      std::string("nul\0byte", 8),
      "\x01\x1f control, \x7f delete",
      "ünïcøde — 🥷 / slash",
  };
  for (const auto& note : notes) {
    o.note = note;
    EXPECT_EQ(spliced(o), boost::json::serialize(to_json(o))) << note;
  }
  o.total = 0;
  o.items = {{"Z", 1, 0}};
  o.status = "we\"ird";  // never written so, but escaped all the same
  EXPECT_EQ(spliced(o), boost::json::serialize(to_json(o)));
}

TEST(WebhookSecret, IsWhsecPlusBase64) {
  EXPECT_EQ(format_webhook_secret("foobar"), "whsec_Zm9vYmFy");
  EXPECT_EQ(format_webhook_secret(std::string(32, '\0')).size(), 6u + 44u);
}

TEST(ApiKeyJson, HasTheListedFieldsAndNeverTheHash) {
  ApiKey key{"0123456789abcdef", "ci", "deadbeef", 2.0, 2.5, 1795498020123, std::nullopt};
  EXPECT_EQ(boost::json::serialize(to_json(key)),
            R"({"id":"0123456789abcdef","name":"ci","rate":2,"burst":2.5E0,"created_at":"2026-11-24T05:27:00.123Z",)"
            R"("revoked_at":null})");
  key.rate.reset();
  key.burst.reset();
  key.revoked_at_ms = 1795498020123;
  const auto o = to_json(key);
  EXPECT_TRUE(o.at("rate").is_null() && o.at("burst").is_null());
  EXPECT_EQ(o.at("revoked_at").as_string(), "2026-11-24T05:27:00.123Z");
}

TEST(DeadLetterJson, IsTheDeliveryWithItsOrderAndUser) {
  Delivery d;
  d.event_id = "e";
  d.order_id = "o";
  d.user_id = "u";
  d.channel = "webhook";
  d.status = DeliveryStatus::dead;
  d.attempts = 3;
  d.last_error = "HTTP 500";
  d.updated_at_ms = 1795498020123;
  auto o = dead_letter_to_json(d);
  EXPECT_EQ(o.at("order_id").as_string(), "o");
  EXPECT_EQ(o.at("user_id").as_string(), "u");
  o.erase("order_id");
  o.erase("user_id");
  EXPECT_EQ(o, to_json(d));
}

}  // namespace
}  // namespace ninja::domain
