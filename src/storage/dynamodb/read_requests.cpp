#include "storage/dynamodb/read_requests.hpp"

#include <boost/json/array.hpp>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/items.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

// Newest first below `before_id` (ids are UUIDv7: their order is creation order).
json::object page_query(const std::string& table, std::string_view index, std::string_view hash_attribute,
                        std::string_view hash_value, const domain::PageQuery& query) {
  std::string condition = "#h = :h";
  json::object names{{"#h", hash_attribute}};
  json::object values{{":h", string_value(hash_value)}};
  if (query.before_id) {
    condition += " AND #id < :before";
    names["#id"] = "id";
    values[":before"] = string_value(*query.before_id);
  }
  return {{"TableName", table},
          {"IndexName", index},
          {"KeyConditionExpression", condition},
          {"ExpressionAttributeNames", std::move(names)},
          {"ExpressionAttributeValues", std::move(values)},
          {"ScanIndexForward", false},
          {"Limit", static_cast<int64_t>(query.limit + 1)},
          {"ReturnConsumedCapacity", "TOTAL"}};
}

template <class T, class Decode>
domain::Page<T> page_of(const json::object& answer, size_t limit, Decode decode) {
  domain::Page<T> page;
  const auto* items = answer.if_contains("Items");
  if (items == nullptr || !items->is_array()) throw MalformedItem("dynamodb Query answer: no Items");
  for (const auto& item : items->get_array()) {
    if (page.items.size() == limit) {
      page.has_more = true;
      break;
    }
    if (!item.is_object()) throw MalformedItem("dynamodb Query answer: an item is not an object");
    page.items.push_back(decode(item.get_object()));
  }
  return page;
}

}  // namespace

json::object get_item_request(const std::string& table, std::string_view key_attribute, std::string_view key) {
  return {{"TableName", table},
          {"Key", {{key_attribute, string_value(key)}}},
          {"ConsistentRead", true},
          {"ReturnConsumedCapacity", "TOTAL"}};
}

json::object list_users_request(const TableLayout& layout, const domain::PageQuery& query) {
  return page_query(layout.users, TableLayout::kNewestIndex, "kind", TableLayout::kUserKind, query);
}

json::object list_orders_request(const TableLayout& layout, const domain::PageQuery& query,
                                 const std::optional<std::string>& user_id) {
  if (user_id) return page_query(layout.orders, TableLayout::kByUserIndex, "user_id", *user_id, query);
  return page_query(layout.orders, TableLayout::kNewestIndex, "kind", TableLayout::kOrderKind, query);
}

std::optional<json::object> item_of(const json::object& answer) {
  const auto* item = answer.if_contains("Item");
  if (item == nullptr) return std::nullopt;
  if (!item->is_object()) throw MalformedItem("dynamodb GetItem answer: Item is not an object");
  return item->get_object();
}

domain::Page<domain::User> users_page(const json::object& answer, size_t limit) {
  return page_of<domain::User>(answer, limit, user_from_item);
}

domain::Page<domain::Order> orders_page(const json::object& answer, size_t limit) {
  return page_of<domain::Order>(answer, limit, order_from_item);
}

}  // namespace ninja::storage::dynamodb
