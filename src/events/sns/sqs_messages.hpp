#pragma once
// The SQS calls of a consumer as JSON bodies (AmazonSQS.* targets) and what their answers hold:
// the messages of a ReceiveMessage, and the entries a batch call (DeleteMessageBatch,
// ChangeMessageVisibilityBatch) could not apply.
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "events/event.hpp"

namespace ninja::events::sns {

inline constexpr int kMaxReceive = 10;  // messages per ReceiveMessage, SQS's limit

struct QueueMessage {
  std::string message_id;
  std::string receipt_handle;
  int receive_count = 1;       // ApproximateReceiveCount: 1 the first time
  std::optional<Event> event;  // nullopt: not one of ours (then `why` says why)
  std::string why;
};

// A long poll: waits up to `wait` (at most 20 s) for up to `max` messages and hides them from
// other consumers for `visibility`.
std::string receive_request(const std::string& queue_url, int max, std::chrono::seconds wait,
                            std::chrono::seconds visibility);

// The messages in ReceiveMessage's answer; a message without a receipt handle is left out (it
// cannot be answered, so it comes back after its visibility timeout). Throws std::runtime_error
// when the answer is not the object SQS sends.
std::vector<QueueMessage> parse_receive_answer(const boost::json::value& answer);

std::string delete_batch_request(const std::string& queue_url, const std::vector<std::string>& receipt_handles);
std::string visibility_batch_request(const std::string& queue_url, const std::vector<std::string>& receipt_handles,
                                     std::chrono::seconds visibility);

// How many entries of a batch call's answer are in its Failed list.
size_t failed_entries(const boost::json::value& answer);

}  // namespace ninja::events::sns
