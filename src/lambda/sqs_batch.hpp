#pragma once
// An SQS event from Lambda's event source mapping, as the events it carries, and the partial
// batch response that tells Lambda which messages to hand out again.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.hpp"

namespace ninja::lambda {

struct QueueRecord {
  std::string message_id;
  std::string group_id;                // attributes.MessageGroupId on a FIFO queue, else empty
  std::optional<events::Event> event;  // nullopt when the message is not one of ours (see why)
  std::string why;
};

// The records of {"Records":[{"messageId","body","attributes","messageAttributes",...}]}: the body
// is the CloudEvent and the event's fields come from the message attributes the relay published
// (events/message_attributes.hpp). Throws InvocationError(kBadEvent) when the event is not an SQS
// batch (then Lambda retries the whole batch, which is right: nothing of it was looked at).
std::vector<QueueRecord> decode_sqs_batch(std::string_view event);

// The message ids to report for `failed` (one flag per record): each failed record and, on a FIFO
// queue, every later record of its message group. SQS hands out a group's messages in order, and
// Lambda retries the reported ones before it takes more of the group, so a later message of a
// failed group must not be consumed ahead of it; other groups go on.
std::vector<std::string> items_to_retry(const std::vector<QueueRecord>& records, const std::vector<bool>& failed);

// {"batchItemFailures":[{"itemIdentifier":"<messageId>"},...]}; an empty list acknowledges the batch.
std::string batch_item_failures(const std::vector<std::string>& message_ids);

}  // namespace ninja::lambda
