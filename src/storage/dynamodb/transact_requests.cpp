#include "storage/dynamodb/transact_requests.hpp"

#include <boost/json/array.hpp>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/items.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

// Every attribute in an expression goes through ExpressionAttributeNames (#name): DynamoDB reserves
// hundreds of words (NAME, STATUS, KEY, TIME, USER, ...), and an alias never collides.
json::object aliases(std::initializer_list<std::string_view> attributes) {
  json::object names;
  for (const auto attribute : attributes) names["#" + std::string(attribute)] = attribute;
  return names;
}

json::object conditional(json::object operation, std::string_view condition, json::object names,
                         json::object values = {}) {
  operation["ConditionExpression"] = condition;
  operation["ExpressionAttributeNames"] = std::move(names);
  if (!values.empty()) operation["ExpressionAttributeValues"] = std::move(values);
  return operation;
}

json::object put_new(const std::string& table, json::object item, std::string_view key_attribute) {
  json::object operation{{"TableName", table}, {"Item", std::move(item)}};
  return {{"Put", conditional(std::move(operation), "attribute_not_exists(#" + std::string(key_attribute) + ")",
                              aliases({key_attribute}))}};
}

json::object key_of(std::string_view name, std::string_view value) { return {{name, string_value(value)}}; }

// Outbox items are new (UUIDv7 ids), but the condition makes a repeated id an error, not an overwrite.
json::object put_event(const TableLayout& layout, const events::Event& event) {
  return put_new(layout.outbox, outbox_item(event), "id");
}

void add_idempotency(json::array& items, CreateParts& parts, const TableLayout& layout,
                     const std::optional<domain::IdempotencyRecord>& idempotency, int64_t now_ms) {
  if (!idempotency) return;
  parts.idempotency = items.size();
  json::object operation{{"TableName", layout.idempotency}, {"Item", idempotency_item(*idempotency)}};
  items.push_back(
      json::object{{"Put", conditional(std::move(operation), "attribute_not_exists(#id) OR #expires_at_ms <= :now",
                                       aliases({"id", "expires_at_ms"}), {{":now", number_value(now_ms)}})}});
}

json::object transact(json::array items) {
  return {{"TransactItems", std::move(items)}, {"ReturnConsumedCapacity", "TOTAL"}};
}

}  // namespace

TransactRequest create_user_request(const TableLayout& layout, const domain::User& user, const events::Event& event,
                                    const std::optional<domain::IdempotencyRecord>& idempotency, int64_t now_ms) {
  json::array items;
  CreateParts parts;
  parts.entity = items.size();
  items.push_back(put_new(layout.users, user_item(user), "id"));
  parts.email_claim = items.size();
  items.push_back(put_new(layout.users, email_claim_item(user), "id"));
  items.push_back(put_event(layout, event));
  add_idempotency(items, parts, layout, idempotency, now_ms);
  return {transact(std::move(items)), parts};
}

TransactRequest create_order_request(const TableLayout& layout, const domain::Order& order, const events::Event& event,
                                     const std::optional<domain::IdempotencyRecord>& idempotency, int64_t now_ms) {
  json::array items;
  CreateParts parts;
  parts.entity = items.size();
  items.push_back(put_new(layout.orders, order_item(order), "id"));
  parts.user_check = items.size();
  // The user must exist as a user (not an email claim) when the order commits: a concurrent
  // delete of the user makes one of the two transactions fail.
  json::object check{{"TableName", layout.users}, {"Key", key_of("id", order.user_id)}};
  items.push_back(json::object{{"ConditionCheck", conditional(std::move(check), "#kind = :user", aliases({"kind"}),
                                                              {{":user", string_value(TableLayout::kUserKind)}})}});
  items.push_back(put_event(layout, event));
  add_idempotency(items, parts, layout, idempotency, now_ms);
  return {transact(std::move(items)), parts};
}

json::object delete_user_request(const TableLayout& layout, const std::string& user_id, const std::string& email,
                                 const events::Event& event) {
  json::array items;
  json::object user{{"TableName", layout.users}, {"Key", key_of("id", user_id)}};
  items.push_back(json::object{
      {"Delete", conditional(std::move(user), "#kind = :user AND #email = :email", aliases({"kind", "email"}),
                             {{":user", string_value(TableLayout::kUserKind)}, {":email", string_value(email)}})}});
  json::object claim{{"TableName", layout.users}, {"Key", key_of("id", email_claim_key(email))}};
  items.push_back(json::object{{"Delete", conditional(std::move(claim), "#user_id = :id", aliases({"user_id"}),
                                                      {{":id", string_value(user_id)}})}});
  items.push_back(put_event(layout, event));
  return transact(std::move(items));
}

json::object delete_order_request(const TableLayout& layout, const std::string& order_id, const events::Event& event) {
  json::array items;
  json::object order{{"TableName", layout.orders}, {"Key", key_of("id", order_id)}};
  items.push_back(json::object{{"Delete", conditional(std::move(order), "attribute_exists(#id)", aliases({"id"}))}});
  items.push_back(put_event(layout, event));
  return transact(std::move(items));
}

std::optional<domain::CreateStatus> create_conflict(const json::value& cancellation_reasons, const CreateParts& parts) {
  if (!cancellation_reasons.is_array()) return std::nullopt;
  const auto& reasons = cancellation_reasons.get_array();
  const auto failed = [&reasons](std::optional<size_t> index) {
    if (!index || *index >= reasons.size() || !reasons[*index].is_object()) return false;
    const auto* code = reasons[*index].get_object().if_contains("Code");
    return code && code->is_string() && code->get_string() == "ConditionalCheckFailed";
  };
  for (const auto& reason : reasons) {  // any other failure means nothing about our conditions
    const auto* code = reason.is_object() ? reason.get_object().if_contains("Code") : nullptr;
    if (code && code->is_string() && code->get_string() != "None" && code->get_string() != "ConditionalCheckFailed") {
      return std::nullopt;
    }
  }
  if (failed(parts.idempotency)) return domain::CreateStatus::idempotency_taken;
  if (failed(parts.email_claim)) return domain::CreateStatus::email_taken;
  if (failed(parts.user_check)) return domain::CreateStatus::user_missing;
  return std::nullopt;  // the entity's own condition: a repeated id, never a client's doing
}

}  // namespace ninja::storage::dynamodb
