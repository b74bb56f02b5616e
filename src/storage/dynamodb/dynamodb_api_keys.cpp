#include "storage/dynamodb/dynamodb_api_keys.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/cancellation.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

// The shortest text that reads back as the same double (2.5 stays "2.5").
json::value double_value(double number) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, number).ptr;
  return json::object{{"N", std::string_view(text, static_cast<size_t>(end - text))}};
}

std::optional<double> read_optional_double(const json::object& item, std::string_view name) {
  if (!item.contains(name)) return std::nullopt;
  const auto& typed = item.at(name);
  const auto* text = typed.is_object() ? typed.get_object().if_contains("N") : nullptr;
  double number = 0;
  if (text && text->is_string()) {
    const std::string_view digits = text->get_string();
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (error == std::errc() && end == digits.data() + digits.size()) return number;
  }
  throw MalformedItem("dynamodb item: attribute " + std::string(name) + " is not a number");
}

json::object key_item(const domain::ApiKey& key) {
  json::object item{{"id", string_value(key.id)},
                    {"name", string_value(key.name)},
                    {"hash", string_value(key.hash)},
                    {"created_at", number_value(key.created_at_ms)}};
  if (key.rate) item["rate"] = double_value(*key.rate);
  if (key.burst) item["burst"] = double_value(*key.burst);
  if (key.revoked_at_ms) item["revoked_at"] = number_value(*key.revoked_at_ms);
  return item;
}

domain::ApiKey key_from_item(const json::object& item) {
  domain::ApiKey key;
  key.id = read_string(item, "id");
  key.name = read_string(item, "name");
  key.hash = read_string(item, "hash");
  key.rate = read_optional_double(item, "rate");
  key.burst = read_optional_double(item, "burst");
  key.created_at_ms = read_number(item, "created_at");
  if (item.contains("revoked_at")) key.revoked_at_ms = read_number(item, "revoked_at");
  return key;
}

struct ScanCall {
  DynamoDbShared* shared;
  std::vector<domain::ApiKey> keys;
  util::Completion<std::vector<domain::ApiKey>> done;
};

void scan(std::shared_ptr<ScanCall> call, std::optional<json::value> start) {
  json::object request{{"TableName", call->shared->layout.api_keys}, {"ConsistentRead", true}};
  if (start) request["ExclusiveStartKey"] = std::move(*start);
  auto* clients = call->shared->clients.get();
  clients->call("Scan", request, [call](json::object answer, std::exception_ptr error) mutable {
    if (error) return call->done({}, error);
    try {
      for (const auto& item : answer.at("Items").as_array()) call->keys.push_back(key_from_item(item.as_object()));
    } catch (...) {
      return call->done({}, std::current_exception());
    }
    const auto* last = answer.if_contains("LastEvaluatedKey");
    if (last && last->is_object() && !last->get_object().empty()) return scan(std::move(call), *last);
    std::sort(call->keys.begin(), call->keys.end(), [](const domain::ApiKey& a, const domain::ApiKey& b) {
      return std::tie(a.created_at_ms, a.id) < std::tie(b.created_at_ms, b.id);
    });
    call->done(std::move(call->keys), nullptr);
  });
}

}  // namespace

DynamoDbApiKeys::DynamoDbApiKeys(std::shared_ptr<DynamoDbShared> shared) : shared_(std::move(shared)) {}

void DynamoDbApiKeys::add_api_key(domain::ApiKey key, util::Done done) {
  json::object put{{"TableName", shared_->layout.api_keys},
                   {"Item", key_item(key)},
                   {"ConditionExpression", "attribute_not_exists(#id)"},
                   {"ExpressionAttributeNames", {{"#id", "id"}}}};
  shared_->clients->call("PutItem", put, [id = key.id, done = std::move(done)](json::object, std::exception_ptr error) {
    if (error && is_condition_failure(error)) {
      error = std::make_exception_ptr(std::invalid_argument("an API key with id " + id + " exists"));
    }
    done(error);
  });
}

void DynamoDbApiKeys::list_api_keys(util::Completion<std::vector<domain::ApiKey>> done) {
  scan(std::make_shared<ScanCall>(ScanCall{shared_.get(), {}, std::move(done)}), std::nullopt);
}

void DynamoDbApiKeys::revoke_api_key(std::string id, int64_t now_ms, util::Completion<bool> done) {
  if (id.empty() || id.size() > kMaxPartitionKeyBytes) return done(false, nullptr);
  // Revoking twice keeps the first time: the condition fails then, and a consistent read says
  // whether the key exists at all.
  json::object update{{"TableName", shared_->layout.api_keys},
                      {"Key", {{"id", string_value(id)}}},
                      {"UpdateExpression", "SET #revoked = :now"},
                      {"ConditionExpression", "attribute_exists(#id) AND attribute_not_exists(#revoked)"},
                      {"ExpressionAttributeNames", {{"#id", "id"}, {"#revoked", "revoked_at"}}},
                      {"ExpressionAttributeValues", {{":now", number_value(now_ms)}}}};
  auto* shared = shared_.get();
  shared->clients->call("UpdateItem", update,
                        [shared, id, done = std::move(done)](json::object, std::exception_ptr error) {
                          if (!error) return done(true, nullptr);
                          if (!is_condition_failure(error)) return done({}, error);
                          json::object get{{"TableName", shared->layout.api_keys},
                                           {"Key", {{"id", string_value(id)}}},
                                           {"ConsistentRead", true},
                                           {"ProjectionExpression", "#id"},
                                           {"ExpressionAttributeNames", {{"#id", "id"}}}};
                          shared->clients->call("GetItem", get, [done](json::object answer, std::exception_ptr error) {
                            if (error) return done({}, error);
                            done(answer.contains("Item"), nullptr);
                          });
                        });
}

}  // namespace ninja::storage::dynamodb
