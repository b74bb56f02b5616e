#include "storage/dynamodb/items.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cctype>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

void put_optional(json::object& item, std::string_view name, const std::optional<std::string>& value) {
  if (value) item[name] = string_value(*value);
}

}  // namespace

json::object user_item(const domain::User& user) {
  json::object item{{"id", string_value(user.id)},
                    {"kind", string_value(TableLayout::kUserKind)},
                    {"name", string_value(user.name)},
                    {"email", string_value(user.email)},
                    {"notify_channel", string_value(domain::to_string(user.notify_channel))},
                    {"created_at", number_value(user.created_at_ms)}};
  put_optional(item, "phone", user.phone);
  put_optional(item, "webhook_url", user.webhook_url);
  put_optional(item, "webhook_secret", user.webhook_secret);
  return item;
}

bool is_user_item(const json::object& item) {
  const auto* kind = item.if_contains("kind");
  const auto* text = kind && kind->is_object() ? kind->get_object().if_contains("S") : nullptr;
  return text && text->is_string() && text->get_string() == TableLayout::kUserKind;
}

domain::User user_from_item(const json::object& item) {
  domain::User user;
  user.id = read_string(item, "id");
  user.name = read_string(item, "name");
  user.email = read_string(item, "email");
  const std::string channel = read_string(item, "notify_channel");
  const auto parsed = domain::parse_notify_channel(channel);
  if (!parsed) throw MalformedItem("dynamodb item: notify_channel '" + channel + "' is not a channel");
  user.notify_channel = *parsed;
  user.phone = read_optional_string(item, "phone");
  user.webhook_url = read_optional_string(item, "webhook_url");
  user.webhook_secret = read_optional_string(item, "webhook_secret");
  user.created_at_ms = read_number(item, "created_at");
  return user;
}

std::string email_claim_key(std::string_view email) {
  std::string key = "email#";
  key.reserve(key.size() + email.size());
  for (const char c : email) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return key;
}

json::object email_claim_item(const domain::User& user) {
  return {{"id", string_value(email_claim_key(user.email))}, {"user_id", string_value(user.id)}};
}

json::object order_item(const domain::Order& order) {
  json::array lines;
  lines.reserve(order.items.size());
  for (const auto& line : order.items) {
    lines.push_back(map_value({{"sku", string_value(line.sku)},
                               {"quantity", number_value(line.quantity)},
                               {"unit_price", number_value(line.unit_price)}}));
  }
  json::object item{{"id", string_value(order.id)},
                    {"kind", string_value(TableLayout::kOrderKind)},
                    {"user_id", string_value(order.user_id)},
                    {"items", list_value(std::move(lines))},
                    {"currency", string_value(order.currency)},
                    {"total", number_value(order.total)},
                    {"status", string_value(order.status)},
                    {"created_at", number_value(order.created_at_ms)}};
  put_optional(item, "note", order.note);
  return item;
}

domain::Order order_from_item(const json::object& item) {
  domain::Order order;
  order.id = read_string(item, "id");
  order.user_id = read_string(item, "user_id");
  for (const auto& line : read_list(item, "items")) {
    const auto& fields = read_map(line, "an order line");
    order.items.push_back(
        {read_string(fields, "sku"), read_number(fields, "quantity"), read_number(fields, "unit_price")});
  }
  order.currency = read_string(item, "currency");
  order.total = read_number(item, "total");
  order.status = read_string(item, "status");
  order.note = read_optional_string(item, "note");
  order.created_at_ms = read_number(item, "created_at");
  return order;
}

std::string idempotency_key(std::string_view scope, std::string_view key) {
  std::string id(scope);
  id += '#';
  id += key;
  return id;
}

json::object idempotency_item(const domain::IdempotencyRecord& record) {
  return {{"id", string_value(idempotency_key(record.scope, record.key))},
          {"scope", string_value(record.scope)},
          {"key", string_value(record.key)},
          {"fingerprint", string_value(record.fingerprint)},
          {"resource_id", string_value(record.resource_id)},
          {"body", string_value(record.body)},
          {"created_at", number_value(record.created_at_ms)},
          {"expires_at_ms", number_value(record.expires_at_ms)},
          // DynamoDB's TTL reads epoch seconds; rounded up, so TTL never deletes a live record.
          {"expires_at", number_value((record.expires_at_ms + 999) / 1000)}};
}

domain::IdempotencyRecord idempotency_from_item(const json::object& item) {
  domain::IdempotencyRecord record;
  record.scope = read_string(item, "scope");
  record.key = read_string(item, "key");
  record.fingerprint = read_string(item, "fingerprint");
  record.resource_id = read_string(item, "resource_id");
  record.body = read_string(item, "body");
  record.created_at_ms = read_number(item, "created_at");
  record.expires_at_ms = read_number(item, "expires_at_ms");
  return record;
}

json::object outbox_item(const events::Event& event) {
  return {{"subject", string_value(event.subject)}, {"id", string_value(event.id)},
          {"type", string_value(event.type)},       {"time", number_value(event.time_ms)},
          {"payload", string_value(event.payload)}, {"pending", string_value(TableLayout::kPending)}};
}

events::Event event_from_item(const json::object& item) {
  events::Event event;
  event.id = read_string(item, "id");
  event.type = read_string(item, "type");
  event.subject = read_string(item, "subject");
  event.time_ms = read_number(item, "time");
  event.payload = read_string(item, "payload");
  return event;
}

}  // namespace ninja::storage::dynamodb
