#pragma once
// An Event as a JetStream message and back. The payload is the CloudEvent JSON as stored in the
// outbox (structured mode); the subject carries the type, `Nats-Msg-Id` the event id (JetStream's
// duplicate check), and two headers the fields a consumer needs without parsing the JSON.
#include <optional>
#include <string>

#include "events/event.hpp"
#include "events/nats/jetstream_publisher.hpp"
#include "events/nats/nats_address.hpp"
#include "events/nats/pull_consumer.hpp"

namespace ninja::events::nats {

inline constexpr const char* kMsgIdHeader = "Nats-Msg-Id";
inline constexpr const char* kSubjectHeader = "Ninja-Subject";  // the entity id
inline constexpr const char* kTimeHeader = "Ninja-Time-Ms";     // the event's time, ms since the epoch

// Throws std::invalid_argument for an event that cannot travel (a type that is no subject, an
// empty id), so one bad event fails alone.
OutgoingMessage to_message(const NatsAddress& address, const Event& event);

// The event a delivered message carries, or nullopt with `why` set when it carries none (a
// foreign or damaged message: consumers discard it rather than see it forever).
std::optional<Event> to_event(const NatsAddress& address, const ReceivedMessage& message, std::string& why);

}  // namespace ninja::events::nats
