#include "storage/dynamodb/delivery_requests.hpp"

#include "storage/dynamodb/attribute_value.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

std::optional<int64_t> read_optional_number(const json::object& item, std::string_view name) {
  if (!item.contains(name)) return std::nullopt;
  return read_number(item, name);
}

json::object delivery_key(const std::string& event_id, const std::string& channel) {
  return {{"event_id", string_value(event_id)}, {"channel", string_value(channel)}};
}

}  // namespace

json::object delivery_item(const domain::Delivery& d, const std::optional<util::Lease>& lease, const Expiry& expiry) {
  json::object item{{"event_id", string_value(d.event_id)},
                    {"channel", string_value(d.channel)},
                    {"order_id", string_value(d.order_id)},
                    {"user_id", string_value(d.user_id)},
                    {"status", string_value(domain::to_string(d.status))},
                    {"attempts", number_value(d.attempts)},
                    {"event_time", number_value(d.event_time_ms)},
                    {"payload", string_value(d.payload)},
                    {"created_at", number_value(d.created_at_ms)},
                    {"updated_at", number_value(d.updated_at_ms)}};
  if (d.last_error) item["last_error"] = string_value(*d.last_error);
  if (d.delivered_at_ms) item["delivered_at"] = number_value(*d.delivered_at_ms);
  if (d.next_attempt_at_ms) {
    item["next_attempt_at"] = number_value(*d.next_attempt_at_ms);
    item["due"] = string_value(TableLayout::kPending);
  }
  if (d.status == domain::DeliveryStatus::dead) item["dead"] = string_value(TableLayout::kPending);
  if (d.is_final()) {
    if (const auto expires = expires_at(d.updated_at_ms, expiry.deliveries)) item[kExpiresAt] = number_value(*expires);
  }
  if (lease && d.next_attempt_at_ms) {
    item["lease_owner"] = string_value(lease->owner);
    item["lease_until"] = number_value(lease->until_ms);
  }
  return item;
}

domain::Delivery delivery_from_item(const json::object& item) {
  domain::Delivery d;
  d.event_id = read_string(item, "event_id");
  d.channel = read_string(item, "channel");
  d.order_id = read_string(item, "order_id");
  d.user_id = read_string(item, "user_id");
  const std::string status = read_string(item, "status");
  const auto parsed = domain::parse_delivery_status(status);
  if (!parsed) throw MalformedItem("dynamodb item: status '" + status + "' is not a delivery status");
  d.status = *parsed;
  d.attempts = read_number(item, "attempts");
  d.last_error = read_optional_string(item, "last_error");
  d.event_time_ms = read_number(item, "event_time");
  d.payload = read_string(item, "payload");
  d.created_at_ms = read_number(item, "created_at");
  d.updated_at_ms = read_number(item, "updated_at");
  d.delivered_at_ms = read_optional_number(item, "delivered_at");
  d.next_attempt_at_ms = read_optional_number(item, "next_attempt_at");
  return d;
}

json::object put_new_delivery(const TableLayout& layout, const Expiry& expiry, const domain::Delivery& d,
                              const std::optional<util::Lease>& lease) {
  return {{"TableName", layout.deliveries},
          {"Item", delivery_item(d, lease, expiry)},
          {"ConditionExpression", "attribute_not_exists(#event_id)"},
          {"ExpressionAttributeNames", {{"#event_id", "event_id"}}}};
}

json::object due_query(const TableLayout& layout, int64_t now_ms) {
  return {
      {"TableName", layout.deliveries},
      {"IndexName", TableLayout::kDueIndex},
      {"KeyConditionExpression", "#due = :due AND #next <= :now"},
      {"ExpressionAttributeNames", {{"#due", "due"}, {"#next", "next_attempt_at"}}},
      {"ExpressionAttributeValues", {{":due", string_value(TableLayout::kPending)}, {":now", number_value(now_ms)}}},
      {"ScanIndexForward", true}};
}

json::object scheduled_query(const TableLayout& layout) {
  return {{"TableName", layout.deliveries},
          {"IndexName", TableLayout::kDueIndex},
          {"KeyConditionExpression", "#due = :due"},
          {"ExpressionAttributeNames", {{"#due", "due"}}},
          {"ExpressionAttributeValues", {{":due", string_value(TableLayout::kPending)}}},
          {"ScanIndexForward", true}};
}

json::object claim_delivery_update(const TableLayout& layout, const std::string& event_id, const std::string& channel,
                                   const util::Lease& lease) {
  return {{"TableName", layout.deliveries},
          {"Key", delivery_key(event_id, channel)},
          {"UpdateExpression", "SET #owner = :owner, #until = :until"},
          {"ConditionExpression",
           "attribute_exists(#due) AND #next <= :now AND (attribute_not_exists(#until) OR #until <= :now)"},
          {"ExpressionAttributeNames",
           {{"#owner", "lease_owner"}, {"#until", "lease_until"}, {"#due", "due"}, {"#next", "next_attempt_at"}}},
          {"ExpressionAttributeValues",
           {{":owner", string_value(lease.owner)},
            {":until", number_value(lease.until_ms)},
            {":now", number_value(lease.now_ms)}}},
          {"ReturnValues", "ALL_NEW"}};
}

json::object record_attempt_put(const TableLayout& layout, const Expiry& expiry, const domain::Delivery& d) {
  return {{"TableName", layout.deliveries},
          {"Item", delivery_item(d, std::nullopt, expiry)},
          {"ConditionExpression", "attribute_exists(#event_id)"},
          {"ExpressionAttributeNames", {{"#event_id", "event_id"}}}};
}

json::object order_deliveries_query(const TableLayout& layout, const std::string& order_id) {
  return {{"TableName", layout.deliveries},
          {"IndexName", TableLayout::kByOrderIndex},
          {"KeyConditionExpression", "#order = :order"},
          {"ExpressionAttributeNames", {{"#order", "order_id"}}},
          {"ExpressionAttributeValues", {{":order", string_value(order_id)}}}};
}

json::object dead_query(const TableLayout& layout) {
  return {{"TableName", layout.deliveries},
          {"IndexName", TableLayout::kDeadIndex},
          {"KeyConditionExpression", "#dead = :dead"},
          {"ExpressionAttributeNames", {{"#dead", "dead"}}},
          {"ExpressionAttributeValues", {{":dead", string_value(TableLayout::kPending)}}},
          {"ScanIndexForward", false}};
}

json::object event_deliveries_query(const TableLayout& layout, const std::string& event_id) {
  return {{"TableName", layout.deliveries},
          {"KeyConditionExpression", "#event = :event"},
          {"ExpressionAttributeNames", {{"#event", "event_id"}}},
          {"ExpressionAttributeValues", {{":event", string_value(event_id)}}},
          {"ConsistentRead", true}};
}

json::object requeue_update(const TableLayout& layout, const std::string& event_id, const std::string& channel,
                            int64_t now_ms) {
  return {{"TableName", layout.deliveries},
          {"Key", delivery_key(event_id, channel)},
          {"UpdateExpression",
           "SET #status = :pending, #attempts = :zero, #next = :now, #updated = :now, #due = :one"
           " REMOVE #dead, #owner, #until, #expires"},
          {"ConditionExpression", "attribute_exists(#dead)"},
          {"ExpressionAttributeNames",
           {{"#status", "status"},
            {"#attempts", "attempts"},
            {"#next", "next_attempt_at"},
            {"#updated", "updated_at"},
            {"#due", "due"},
            {"#dead", "dead"},
            {"#owner", "lease_owner"},
            {"#until", "lease_until"},
            {"#expires", kExpiresAt}}},
          {"ExpressionAttributeValues",
           {{":pending", string_value(domain::to_string(domain::DeliveryStatus::pending))},
            {":zero", number_value(0)},
            {":now", number_value(now_ms)},
            {":one", string_value(TableLayout::kPending)}}}};
}

}  // namespace ninja::storage::dynamodb
