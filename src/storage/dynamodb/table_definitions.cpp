#include "storage/dynamodb/table_definitions.hpp"

#include <boost/json/array.hpp>

#include "storage/dynamodb/expiry.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

json::object key(std::string_view hash, std::optional<std::string_view> range = std::nullopt) {
  json::array schema{json::object{{"AttributeName", hash}, {"KeyType", "HASH"}}};
  if (range) schema.push_back(json::object{{"AttributeName", *range}, {"KeyType", "RANGE"}});
  return {{"KeySchema", std::move(schema)}};
}

json::object index(std::string_view name, std::string_view hash, std::string_view range) {
  json::object definition = key(hash, range);
  definition["IndexName"] = name;
  definition["Projection"] = json::object{{"ProjectionType", "ALL"}};
  return definition;
}

// Every key attribute is a string (ids are UUIDv7 text, sorting by creation time).
json::array string_attributes(std::initializer_list<std::string_view> names) {
  json::array attributes;
  for (const auto name : names) attributes.push_back(json::object{{"AttributeName", name}, {"AttributeType", "S"}});
  return attributes;
}

json::object table(const std::string& name, json::object key_schema, json::array attributes, json::array indexes = {}) {
  json::object body{{"TableName", name},
                    {"BillingMode", "PAY_PER_REQUEST"},
                    {"AttributeDefinitions", std::move(attributes)},
                    {"KeySchema", std::move(key_schema.at("KeySchema"))}};
  if (!indexes.empty()) body["GlobalSecondaryIndexes"] = std::move(indexes);
  return body;
}

// UpdateTimeToLive's body: DynamoDB deletes an item some time after the epoch second in its
// expires_at (an item without one stays).
json::object time_to_live(const std::string& name) {
  return {{"TableName", name}, {"TimeToLiveSpecification", {{"Enabled", true}, {"AttributeName", kExpiresAt}}}};
}

}  // namespace

std::vector<TableDefinition> table_definitions(const TableLayout& layout) {
  std::vector<TableDefinition> tables;
  tables.push_back({layout.users,
                    table(layout.users, key("id"), string_attributes({"id", "kind"}),
                          {index(TableLayout::kNewestIndex, "kind", "id")}),
                    std::nullopt});
  tables.push_back(
      {layout.orders,
       table(layout.orders, key("id"), string_attributes({"id", "user_id", "kind"}),
             {index(TableLayout::kByUserIndex, "user_id", "id"), index(TableLayout::kNewestIndex, "kind", "id")}),
       std::nullopt});
  tables.push_back({layout.idempotency, table(layout.idempotency, key("id"), string_attributes({"id"})),
                    time_to_live(layout.idempotency)});
  json::array delivery_attributes = string_attributes({"event_id", "channel", "due", "dead", "order_id"});
  for (const char* number : {"next_attempt_at", "updated_at"}) {
    delivery_attributes.push_back(json::object{{"AttributeName", number}, {"AttributeType", "N"}});
  }
  tables.push_back({layout.deliveries,
                    table(layout.deliveries, key("event_id", "channel"), std::move(delivery_attributes),
                          {index(TableLayout::kDueIndex, "due", "next_attempt_at"),
                           index(TableLayout::kDeadIndex, "dead", "updated_at"),
                           index(TableLayout::kByOrderIndex, "order_id", "event_id")}),
                    time_to_live(layout.deliveries)});
  tables.push_back({layout.api_keys, table(layout.api_keys, key("id"), string_attributes({"id"})), std::nullopt});
  tables.push_back({layout.outbox,
                    table(layout.outbox, key("subject", "id"), string_attributes({"subject", "id", "pending"}),
                          {index(TableLayout::kUnpublishedIndex, "pending", "id")}),
                    time_to_live(layout.outbox)});
  return tables;
}

}  // namespace ninja::storage::dynamodb
