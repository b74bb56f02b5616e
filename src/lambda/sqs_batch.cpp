#include "lambda/sqs_batch.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <set>

#include "events/message_attributes.hpp"
#include "lambda/invocation.hpp"

namespace ninja::lambda {
namespace {

namespace json = boost::json;

const json::string* string_member(const json::object* o, std::string_view key) {
  if (!o) return nullptr;
  const auto* v = o->if_contains(key);
  return v ? v->if_string() : nullptr;
}

const json::object* object_member(const json::object* o, std::string_view key) {
  if (!o) return nullptr;
  const auto* v = o->if_contains(key);
  return v ? v->if_object() : nullptr;
}

// Lambda's shape of a message attribute: {"stringValue": "...", "dataType": "String"}.
const json::string* message_attribute(const json::object* attributes, std::string_view name) {
  return string_member(object_member(attributes, name), "stringValue");
}

QueueRecord decode_record(const json::object& record) {
  QueueRecord out;
  if (const auto* id = string_member(&record, "messageId")) out.message_id = std::string(*id);
  if (const auto* group = string_member(object_member(&record, "attributes"), "MessageGroupId")) {
    out.group_id = std::string(*group);
  }
  const auto* body = string_member(&record, "body");
  const auto* attributes = object_member(&record, "messageAttributes");
  const auto* id = message_attribute(attributes, events::kIdAttribute);
  const auto* type = message_attribute(attributes, events::kTypeAttribute);
  const auto* subject = message_attribute(attributes, events::kSubjectAttribute);
  const auto* time = message_attribute(attributes, events::kTimeAttribute);
  if (!body || !id || id->empty() || !type || type->empty() || !subject || !time) {
    out.why = "a message without a body or the event_id, event_type, event_subject and event_time_ms attributes";
    return out;
  }
  int64_t time_ms = 0;
  const auto [end, error] = std::from_chars(time->data(), time->data() + time->size(), time_ms);
  if (error != std::errc() || end != time->data() + time->size()) {
    out.why = "event_time_ms is not a whole number";
    return out;
  }
  out.event = events::Event{std::string(*id), std::string(*type), std::string(*subject), time_ms, std::string(*body)};
  return out;
}

}  // namespace

std::vector<QueueRecord> decode_sqs_batch(std::string_view event) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(event, ec);
  const auto* root = ec ? nullptr : parsed.if_object();
  const auto* records = root ? root->if_contains("Records") : nullptr;
  if (!records || !records->is_array()) throw InvocationError(kBadEvent, "not an SQS event (no Records list)");
  std::vector<QueueRecord> out;
  for (const auto& r : records->as_array()) {
    const auto* record = r.if_object();
    const auto* source = string_member(record, "eventSource");
    if (!record || !source || *source != "aws:sqs" || !string_member(record, "messageId")) {
      throw InvocationError(kBadEvent, "not an SQS event (a record without eventSource aws:sqs and a messageId)");
    }
    out.push_back(decode_record(*record));
  }
  return out;
}

std::vector<std::string> items_to_retry(const std::vector<QueueRecord>& records, const std::vector<bool>& failed) {
  std::vector<std::string> out;
  std::set<std::string_view> failed_groups;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const bool group_failed = !r.group_id.empty() && failed_groups.count(r.group_id) > 0;
    if (!failed[i] && !group_failed) continue;
    out.push_back(r.message_id);
    if (!r.group_id.empty()) failed_groups.insert(r.group_id);
  }
  return out;
}

std::string batch_item_failures(const std::vector<std::string>& message_ids) {
  json::array items;
  for (const auto& id : message_ids) items.push_back(json::object{{"itemIdentifier", id}});
  return json::serialize(json::object{{"batchItemFailures", std::move(items)}});
}

}  // namespace ninja::lambda
