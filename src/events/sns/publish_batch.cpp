#include "events/sns/publish_batch.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

#include "aws/aws_error.hpp"
#include "aws/xml_text.hpp"
#include "events/sns/event_message.hpp"
#include "events/sns/xml_members.hpp"

namespace ninja::events::sns {
namespace {

std::optional<size_t> entry_index(std::string_view member, size_t entries) {
  const auto id = aws::xml_element_text(member, "Id");
  if (!id) return std::nullopt;
  size_t index = 0;
  const auto [end, error] = std::from_chars(id->data(), id->data() + id->size(), index);
  if (error != std::errc() || end != id->data() + id->size() || index >= entries) return std::nullopt;
  return index;
}

}  // namespace

BatchPlan plan_batches(const std::vector<Event>& events, const PublishLimits& limits) {
  BatchPlan plan;
  size_t bytes = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    try {
      check_publishable(events[i]);
    } catch (const std::invalid_argument&) {
      plan.refused.emplace_back(i, std::current_exception());
      continue;
    }
    const size_t size = message_size(events[i]);
    if (size > limits.max_bytes) {
      plan.refused.emplace_back(i, std::make_exception_ptr(std::invalid_argument(
                                       "event " + events[i].id + " is " + std::to_string(size) +
                                       " bytes as an SNS message, more than its " + std::to_string(limits.max_bytes))));
      continue;
    }
    if (plan.batches.empty() || plan.batches.back().size() >= limits.max_entries || bytes + size > limits.max_bytes) {
      plan.batches.emplace_back();
      bytes = 0;
    }
    plan.batches.back().push_back(i);
    bytes += size;
  }
  return plan;
}

aws::FormParams publish_batch_params(const std::string& topic_arn, const std::vector<Event>& events,
                                     const std::vector<size_t>& batch) {
  aws::FormParams params{{"TopicArn", topic_arn}};
  for (size_t position = 0; position < batch.size(); ++position) {
    const std::string id = std::to_string(position);
    append_publish_entry(params, "PublishBatchRequestEntries.member." + std::to_string(position + 1) + ".", id,
                         events[batch[position]]);
  }
  return params;
}

std::vector<std::exception_ptr> publish_batch_results(std::string_view xml, size_t entries) {
  std::vector<std::exception_ptr> results(entries);
  std::vector<bool> answered(entries, false);
  for (const auto member : xml_members(xml, "Successful")) {
    if (const auto index = entry_index(member, entries)) answered[*index] = true;
  }
  for (const auto member : xml_members(xml, "Failed")) {
    const auto index = entry_index(member, entries);
    if (!index) continue;
    const std::string code = aws::xml_element_text(member, "Code").value_or("Failed");
    const std::string message = aws::xml_element_text(member, "Message").value_or("");
    const bool sender_fault = aws::xml_element_text(member, "SenderFault").value_or("") == "true";
    answered[*index] = true;
    results[*index] =
        std::make_exception_ptr(aws::AwsError("sns", "PublishBatch", code, message, 0, !sender_fault, ""));
  }
  for (size_t i = 0; i < entries; ++i) {
    if (answered[i]) continue;
    results[i] = std::make_exception_ptr(
        aws::AwsError("sns", "PublishBatch", "NotAnswered",
                      "the answer names entry " + std::to_string(i) + " neither successful nor failed", 0, true, ""));
  }
  return results;
}

}  // namespace ninja::events::sns
