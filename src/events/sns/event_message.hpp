#pragma once
// An event as an SNS message and back, as an SQS message: the body is the CloudEvent JSON as the
// outbox holds it, and the event's id, type, subject and time travel as message attributes, so a
// subscription's filter policy can select by type (raw delivery hands them to SQS unchanged). In
// the FIFO topic the subject (the entity) is the MessageGroupId and the event id the
// MessageDeduplicationId: SNS and SQS then keep one entity's events in order and drop a
// republished event within their five-minute deduplication window.
#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "aws/form_body.hpp"
#include "events/event.hpp"
#include "events/message_attributes.hpp"

namespace ninja::events::sns {

using events::kIdAttribute;
using events::kSubjectAttribute;
using events::kTimeAttribute;
using events::kTypeAttribute;

// Throws std::invalid_argument when SNS would refuse the event whatever happens: an id or subject
// that is not 1-128 printable ASCII characters (the limits of the deduplication and group ids),
// an empty type or body.
void check_publishable(const Event& event);

// The bytes SNS counts towards its message size limit: the body plus each attribute's name, data
// type and value.
size_t message_size(const Event& event);

// The PublishBatch parameters of one entry, each name starting with `entry_prefix`
// ("PublishBatchRequestEntries.member.3.").
void append_publish_entry(aws::FormParams& params, const std::string& entry_prefix, const std::string& entry_id,
                          const Event& event);

// The event in an SQS message of ReceiveMessage's answer (with MessageAttributeNames All), or
// nullopt with `why` when the message is not one of ours.
std::optional<Event> event_from_sqs_message(const boost::json::object& message, std::string& why);

}  // namespace ninja::events::sns
