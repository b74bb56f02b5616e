#pragma once
// The names under which an event's id, type, subject and time travel beside its body on a bus with
// message attributes (SNS + SQS): the subscription's filter policy selects by the type, and a
// consumer reads them without parsing the body, whether it polls SQS itself (events/sns/) or
// Lambda hands it the queue's messages (lambda/).
#include <string_view>

namespace ninja::events {

inline constexpr std::string_view kIdAttribute = "event_id";
inline constexpr std::string_view kTypeAttribute = "event_type";
inline constexpr std::string_view kSubjectAttribute = "event_subject";
inline constexpr std::string_view kTimeAttribute = "event_time_ms";  // milliseconds since the epoch, a Number

}  // namespace ninja::events
