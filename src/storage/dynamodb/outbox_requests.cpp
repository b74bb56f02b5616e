#include "storage/dynamodb/outbox_requests.hpp"

#include "storage/dynamodb/attribute_value.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

json::object event_key(const std::string& subject, const std::string& event_id) {
  return {{"subject", string_value(subject)}, {"id", string_value(event_id)}};
}

}  // namespace

json::object unpublished_query(const TableLayout& layout, size_t limit) {
  return {{"TableName", layout.outbox},
          {"IndexName", TableLayout::kUnpublishedIndex},
          {"KeyConditionExpression", "#pending = :pending"},
          {"ExpressionAttributeNames", {{"#pending", "pending"}}},
          {"ExpressionAttributeValues", {{":pending", string_value(TableLayout::kPending)}}},
          {"ScanIndexForward", true},
          {"Limit", static_cast<int64_t>(limit)}};
}

json::object oldest_pending_of_subject_query(const TableLayout& layout, const std::string& subject) {
  // A filter, not a key condition, on `pending`: DynamoDB applies Limit before filters, so no
  // Limit here — a subject has few events, all in one partition.
  return {{"TableName", layout.outbox},
          {"KeyConditionExpression", "#subject = :subject"},
          {"FilterExpression", "attribute_exists(#pending)"},
          {"ExpressionAttributeNames", {{"#subject", "subject"}, {"#pending", "pending"}}},
          {"ExpressionAttributeValues", {{":subject", string_value(subject)}}},
          {"ScanIndexForward", true},
          {"ConsistentRead", true}};
}

json::object claim_update(const TableLayout& layout, const std::string& subject, const std::string& event_id,
                          const util::Lease& lease) {
  return {{"TableName", layout.outbox},
          {"Key", event_key(subject, event_id)},
          {"UpdateExpression", "SET #owner = :owner, #until = :until"},
          {"ConditionExpression",
           "attribute_exists(#pending) AND (attribute_not_exists(#until) OR #until <= :now OR #owner = :owner)"},
          {"ExpressionAttributeNames", {{"#owner", "lease_owner"}, {"#until", "lease_until"}, {"#pending", "pending"}}},
          {"ExpressionAttributeValues",
           {{":owner", string_value(lease.owner)},
            {":until", number_value(lease.until_ms)},
            {":now", number_value(lease.now_ms)}}},
          {"ReturnValues", "ALL_NEW"}};
}

json::object unpublished_event_query(const TableLayout& layout, const std::string& event_id) {
  return {{"TableName", layout.outbox},
          {"IndexName", TableLayout::kUnpublishedIndex},
          {"KeyConditionExpression", "#pending = :pending AND #id = :id"},
          {"ExpressionAttributeNames", {{"#pending", "pending"}, {"#id", "id"}}},
          {"ExpressionAttributeValues",
           {{":pending", string_value(TableLayout::kPending)}, {":id", string_value(event_id)}}}};
}

json::object mark_published_update(const TableLayout& layout, const Expiry& expiry, const std::string& subject,
                                   const std::string& event_id, int64_t now_ms) {
  json::object names{{"#pending", "pending"},
                     {"#owner", "lease_owner"},
                     {"#until", "lease_until"},
                     {"#published", "published_at"},
                     {"#id", "id"}};
  json::object values{{":now", number_value(now_ms)}};
  std::string update = "REMOVE #pending, #owner, #until SET #published = :now";
  if (const auto expires = expires_at(now_ms, expiry.events)) {
    update += ", #expires = :expires";
    names["#expires"] = kExpiresAt;
    values[":expires"] = number_value(*expires);
  }
  return {{"TableName", layout.outbox},
          {"Key", event_key(subject, event_id)},
          {"UpdateExpression", std::move(update)},
          {"ConditionExpression", "attribute_exists(#id)"},  // never re-create a purged event
          {"ExpressionAttributeNames", std::move(names)},
          {"ExpressionAttributeValues", std::move(values)}};
}

}  // namespace ninja::storage::dynamodb
