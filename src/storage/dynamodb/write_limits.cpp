#include "storage/dynamodb/write_limits.hpp"

#include <boost/json/array.hpp>

#include <array>

#include "storage/dynamodb/attribute_value.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

struct KeyLimit {
  std::string_view attribute;
  size_t max_bytes;
};

// The key attributes of each table, indexes included: `id` is the sort key of the `newest`,
// `by_user` and `unpublished` indexes and of the outbox (1024 bytes), the partition key elsewhere;
// only the users table's email claims (which no index holds) and the idempotency records have it
// as a partition key alone. Those keys derive from an email and a client's key, bounded by the
// API's validation long before 2048 bytes; the 1024 bound applies to the ids we generate.
std::array<KeyLimit, 2> key_limits(const TableLayout& layout, std::string_view table, const json::object& item) {
  if (table == layout.outbox) return {KeyLimit{"subject", kMaxPartitionKeyBytes}, {"id", kMaxSortKeyBytes}};
  if (table == layout.orders) return {KeyLimit{"id", kMaxSortKeyBytes}, {"user_id", kMaxPartitionKeyBytes}};
  const bool indexed = item.contains("kind");  // a user item, not an email claim
  return {KeyLimit{"id", indexed ? kMaxSortKeyBytes : kMaxPartitionKeyBytes}, {"", 0}};
}

std::optional<std::string> key_violation(const TableLayout& layout, std::string_view table, const json::object& item) {
  for (const auto& limit : key_limits(layout, table, item)) {
    if (limit.attribute.empty()) continue;
    const auto* value = item.if_contains(limit.attribute);
    const auto* typed = value && value->is_object() ? value->get_object().if_contains("S") : nullptr;
    if (typed == nullptr || !typed->is_string()) continue;
    const size_t size = typed->get_string().size();
    if (size == 0) return std::string(table) + ": the key " + std::string(limit.attribute) + " is empty";
    if (size > limit.max_bytes) {
      return std::string(table) + ": the key " + std::string(limit.attribute) + " has " + std::to_string(size) +
             " bytes, more than DynamoDB's " + std::to_string(limit.max_bytes);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> limit_violation(const TableLayout& layout, const json::object& transact) {
  const auto& parts = transact.at("TransactItems").as_array();
  if (parts.size() > kMaxTransactItems) return "a transaction of " + std::to_string(parts.size()) + " parts";
  for (const auto& part : parts) {
    for (const auto& [kind, operation] : part.as_object()) {
      const auto& fields = operation.as_object();
      const std::string_view table = fields.at("TableName").as_string();
      const bool put = kind == "Put";
      const auto& item = fields.at(put ? "Item" : "Key").as_object();
      if (auto violation = key_violation(layout, table, item)) return violation;
      if (put && item_size(item) > kMaxItemBytes) {
        return std::string(table) + ": an item of " + std::to_string(item_size(item)) +
               " bytes, more than DynamoDB's " + std::to_string(kMaxItemBytes);
      }
    }
  }
  return std::nullopt;
}

}  // namespace ninja::storage::dynamodb
