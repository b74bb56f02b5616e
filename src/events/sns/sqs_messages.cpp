#include "events/sns/sqs_messages.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <stdexcept>

#include "events/sns/event_message.hpp"

namespace ninja::events::sns {
namespace {

namespace json = boost::json;

std::string entries_request(const std::string& queue_url, const std::vector<std::string>& receipt_handles,
                            const std::optional<std::chrono::seconds>& visibility) {
  json::array entries;
  for (size_t i = 0; i < receipt_handles.size(); ++i) {
    json::object entry{{"Id", std::to_string(i)}, {"ReceiptHandle", receipt_handles[i]}};
    if (visibility) entry["VisibilityTimeout"] = visibility->count();
    entries.push_back(std::move(entry));
  }
  return json::serialize(json::object{{"QueueUrl", queue_url}, {"Entries", std::move(entries)}});
}

int receive_count(const json::object& message) {
  const auto* attributes = message.if_contains("Attributes");
  if (attributes == nullptr || !attributes->is_object()) return 1;
  const auto* count = attributes->as_object().if_contains("ApproximateReceiveCount");
  if (count == nullptr || !count->is_string()) return 1;
  const std::string_view text(count->as_string());
  int value = 1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) return 1;
  return value;
}

}  // namespace

std::string receive_request(const std::string& queue_url, int max, std::chrono::seconds wait,
                            std::chrono::seconds visibility) {
  return json::serialize(json::object{{"QueueUrl", queue_url},
                                      {"MaxNumberOfMessages", max},
                                      {"WaitTimeSeconds", wait.count()},
                                      {"VisibilityTimeout", visibility.count()},
                                      {"MessageAttributeNames", json::array{"All"}},
                                      {"MessageSystemAttributeNames", json::array{"ApproximateReceiveCount"}}});
}

std::vector<QueueMessage> parse_receive_answer(const json::value& answer) {
  if (!answer.is_object()) throw std::runtime_error("sqs ReceiveMessage: the answer is not a JSON object");
  const auto* messages = answer.as_object().if_contains("Messages");
  if (messages == nullptr) return {};  // nothing arrived within the wait
  if (!messages->is_array()) throw std::runtime_error("sqs ReceiveMessage: Messages is not a list");
  std::vector<QueueMessage> received;
  for (const auto& item : messages->as_array()) {
    if (!item.is_object()) continue;
    const auto& message = item.as_object();
    const auto* receipt = message.if_contains("ReceiptHandle");
    if (receipt == nullptr || !receipt->is_string() || receipt->as_string().empty()) continue;
    QueueMessage entry;
    if (const auto* id = message.if_contains("MessageId"); id != nullptr && id->is_string()) {
      entry.message_id = std::string(id->as_string());
    }
    entry.receipt_handle = std::string(receipt->as_string());
    entry.receive_count = receive_count(message);
    entry.event = event_from_sqs_message(message, entry.why);
    received.push_back(std::move(entry));
  }
  return received;
}

std::string delete_batch_request(const std::string& queue_url, const std::vector<std::string>& receipt_handles) {
  return entries_request(queue_url, receipt_handles, std::nullopt);
}

std::string visibility_batch_request(const std::string& queue_url, const std::vector<std::string>& receipt_handles,
                                     std::chrono::seconds visibility) {
  return entries_request(queue_url, receipt_handles, visibility);
}

size_t failed_entries(const json::value& answer) {
  if (!answer.is_object()) return 0;
  const auto* failed = answer.as_object().if_contains("Failed");
  return failed != nullptr && failed->is_array() ? failed->as_array().size() : 0;
}

}  // namespace ninja::events::sns
