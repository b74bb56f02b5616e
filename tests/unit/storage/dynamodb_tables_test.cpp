#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <map>
#include <set>

#include "storage/dynamodb/items.hpp"
#include "storage/dynamodb/table_definitions.hpp"

namespace ninja::storage::dynamodb {
namespace {

namespace json = boost::json;

std::map<std::string, TableDefinition> by_name() {
  std::map<std::string, TableDefinition> tables;
  for (auto& t : table_definitions(TableLayout("p_"))) tables.emplace(t.name, std::move(t));
  return tables;
}

std::string key_of(const json::object& schema_owner, const char* type) {
  for (const auto& k : schema_owner.at("KeySchema").as_array()) {
    if (k.at("KeyType").as_string() == type) return std::string(k.at("AttributeName").as_string());
  }
  return "";
}

const json::object& index_named(const json::object& create, std::string_view name) {
  for (const auto& index : create.at("GlobalSecondaryIndexes").as_array()) {
    if (index.at("IndexName").as_string() == name) return index.as_object();
  }
  throw std::runtime_error("no index " + std::string(name));
}

TEST(DynamoDbTables, TheLayoutAsCreateTableBodies) {
  const auto tables = by_name();
  ASSERT_EQ(tables.size(), 6u);
  EXPECT_EQ(key_of(tables.at("p_api_keys").create, "HASH"), "id");
  const auto& users = tables.at("p_users").create;
  EXPECT_EQ(key_of(users, "HASH"), "id");
  EXPECT_EQ(users.at("BillingMode").as_string(), "PAY_PER_REQUEST");
  EXPECT_EQ(key_of(index_named(users, "newest"), "HASH"), "kind");
  EXPECT_EQ(key_of(index_named(users, "newest"), "RANGE"), "id");
  const auto& orders = tables.at("p_orders").create;
  EXPECT_EQ(key_of(index_named(orders, "by_user"), "HASH"), "user_id");
  EXPECT_EQ(key_of(index_named(orders, "by_user"), "RANGE"), "id");
  const auto& outbox = tables.at("p_outbox").create;
  EXPECT_EQ(key_of(outbox, "HASH"), "subject");
  EXPECT_EQ(key_of(outbox, "RANGE"), "id");
  EXPECT_EQ(key_of(index_named(outbox, "unpublished"), "HASH"), "pending");
  const auto& deliveries = tables.at("p_deliveries").create;
  EXPECT_EQ(key_of(deliveries, "HASH"), "event_id");
  EXPECT_EQ(key_of(deliveries, "RANGE"), "channel");
  EXPECT_EQ(key_of(index_named(deliveries, "due"), "RANGE"), "next_attempt_at");
  EXPECT_EQ(key_of(index_named(deliveries, "dead"), "RANGE"), "updated_at");
  EXPECT_EQ(key_of(index_named(deliveries, "by_order"), "HASH"), "order_id");
}

// What expires: the idempotency records, and done outbox events and delivery records (expiry.hpp);
// the entities and the API keys never.
TEST(DynamoDbTables, TimeToLiveOnTheTablesWhoseItemsExpire) {
  for (const auto& [name, table] : by_name()) {
    const bool expires = name == "p_idempotency" || name == "p_outbox" || name == "p_deliveries";
    ASSERT_EQ(table.ttl.has_value(), expires) << name;
    if (!expires) continue;
    EXPECT_EQ(table.ttl->at("TableName").as_string(), name);
    EXPECT_TRUE(table.ttl->at("TimeToLiveSpecification").at("Enabled").as_bool()) << name;
    EXPECT_EQ(table.ttl->at("TimeToLiveSpecification").at("AttributeName").as_string(), "expires_at") << name;
  }
}

// Every key and index attribute is defined, and every defined attribute is a key somewhere
// (DynamoDB refuses both mistakes), and the items the store writes carry the keys they need.
TEST(DynamoDbTables, AttributeDefinitionsMatchTheKeysAndTheItems) {
  for (const auto& [name, table] : by_name()) {
    std::set<std::string> defined, keys;
    for (const auto& a : table.create.at("AttributeDefinitions").as_array()) {
      defined.insert(std::string(a.at("AttributeName").as_string()));
      // Strings, but for the deliveries' times, which their indexes sort as numbers.
      const bool number = a.at("AttributeName") == "next_attempt_at" || a.at("AttributeName") == "updated_at";
      EXPECT_EQ(a.at("AttributeType").as_string(), number ? "N" : "S") << name;
    }
    keys.insert(key_of(table.create, "HASH"));
    if (auto range = key_of(table.create, "RANGE"); !range.empty()) keys.insert(range);
    if (const auto* indexes = table.create.if_contains("GlobalSecondaryIndexes")) {
      for (const auto& index : indexes->as_array()) {
        keys.insert(key_of(index.as_object(), "HASH"));
        keys.insert(key_of(index.as_object(), "RANGE"));
        EXPECT_EQ(index.at("Projection").at("ProjectionType").as_string(), "ALL") << name;
      }
    }
    EXPECT_EQ(defined, keys) << name;
  }
  domain::User user;
  user.id = "u";
  user.email = "a@b.co";
  for (const char* attribute : {"id", "kind"}) EXPECT_TRUE(user_item(user).contains(attribute)) << attribute;
  domain::Order order;
  order.id = "o";
  order.user_id = "u";
  for (const char* attribute : {"id", "user_id", "kind"}) EXPECT_TRUE(order_item(order).contains(attribute));
  const events::Event event{"e", "t", "s", 0, "{}"};
  for (const char* attribute : {"subject", "id", "pending"}) EXPECT_TRUE(outbox_item(event).contains(attribute));
}

}  // namespace
}  // namespace ninja::storage::dynamodb
