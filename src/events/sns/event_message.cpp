#include "events/sns/event_message.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <vector>

namespace ninja::events::sns {
namespace {

constexpr size_t kMaxIdLength = 128;  // MessageGroupId and MessageDeduplicationId

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

void check_id(std::string_view what, std::string_view value) {
  if (value.empty() || value.size() > kMaxIdLength || !is_printable_ascii(value)) {
    throw std::invalid_argument("the event's " + std::string(what) +
                                " must be 1-128 printable ASCII characters to be a FIFO message's " +
                                (what == "id" ? "deduplication id" : "group id"));
  }
}

struct Attribute {
  std::string_view name;
  std::string_view data_type;
  std::string value;
};

std::vector<Attribute> attributes_of(const Event& event) {
  return {{kIdAttribute, "String", event.id},
          {kTypeAttribute, "String", event.type},
          {kSubjectAttribute, "String", event.subject},
          {kTimeAttribute, "Number", std::to_string(event.time_ms)}};
}

std::optional<std::string_view> string_attribute(const boost::json::object& attributes, std::string_view name) {
  const auto* attribute = attributes.if_contains(name);
  if (attribute == nullptr || !attribute->is_object()) return std::nullopt;
  const auto* value = attribute->as_object().if_contains("StringValue");
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string_view(value->as_string());
}

}  // namespace

void check_publishable(const Event& event) {
  check_id("id", event.id);
  check_id("subject", event.subject);
  if (event.type.empty()) throw std::invalid_argument("an event without a type cannot be filtered by type");
  if (event.payload.empty()) throw std::invalid_argument("SNS takes no empty message");
}

size_t message_size(const Event& event) {
  size_t size = event.payload.size();
  for (const auto& attribute : attributes_of(event)) {
    size += attribute.name.size() + attribute.data_type.size() + attribute.value.size();
  }
  return size;
}

void append_publish_entry(aws::FormParams& params, const std::string& entry_prefix, const std::string& entry_id,
                          const Event& event) {
  params.emplace_back(entry_prefix + "Id", entry_id);
  params.emplace_back(entry_prefix + "Message", event.payload);
  params.emplace_back(entry_prefix + "MessageGroupId", event.subject);
  params.emplace_back(entry_prefix + "MessageDeduplicationId", event.id);
  int index = 0;
  for (auto& attribute : attributes_of(event)) {
    const std::string name = entry_prefix + "MessageAttributes.entry." + std::to_string(++index) + ".";
    params.emplace_back(name + "Name", std::string(attribute.name));
    params.emplace_back(name + "Value.DataType", std::string(attribute.data_type));
    params.emplace_back(name + "Value.StringValue", std::move(attribute.value));
  }
}

std::optional<Event> event_from_sqs_message(const boost::json::object& message, std::string& why) {
  const auto* body = message.if_contains("Body");
  const auto* attributes = message.if_contains("MessageAttributes");
  if (body == nullptr || !body->is_string() || attributes == nullptr || !attributes->is_object()) {
    why = "a message without a body or message attributes";
    return std::nullopt;
  }
  const auto& named = attributes->as_object();
  const auto id = string_attribute(named, kIdAttribute);
  const auto type = string_attribute(named, kTypeAttribute);
  const auto subject = string_attribute(named, kSubjectAttribute);
  const auto time = string_attribute(named, kTimeAttribute);
  if (!id || id->empty() || !type || type->empty() || !subject || !time) {
    why = "a message without the event_id, event_type, event_subject and event_time_ms attributes";
    return std::nullopt;
  }
  int64_t time_ms = 0;
  const auto [end, error] = std::from_chars(time->data(), time->data() + time->size(), time_ms);
  if (error != std::errc() || end != time->data() + time->size()) {
    why = "event_time_ms is not a whole number";
    return std::nullopt;
  }
  return Event{std::string(*id), std::string(*type), std::string(*subject), time_ms, std::string(body->as_string())};
}

}  // namespace ninja::events::sns
