#include "events/nats/event_message.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace ninja::events::nats {
namespace {

// A type is dot-separated tokens of visible ASCII without NATS wildcards, so it is one literal subject.
bool is_literal_subject(std::string_view type) {
  if (type.empty() || type.front() == '.' || type.back() == '.' || type.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(type.begin(), type.end(), [](char c) { return c > ' ' && c < 0x7f && c != '*' && c != '>'; });
}

}  // namespace

OutgoingMessage to_message(const NatsAddress& address, const Event& event) {
  if (!is_literal_subject(event.type) || !event.type.starts_with("ninja.")) {
    throw std::invalid_argument("event type '" + event.type + "' cannot be a NATS subject");
  }
  if (event.id.empty()) throw std::invalid_argument("an event without an id cannot be deduplicated");
  // Header values travel on one line: an entity id with a line break would break the framing.
  if (event.subject.find_first_of("\r\n") != std::string::npos) {
    throw std::invalid_argument("event subject with a line break");
  }
  return {address.subject(event.type),
          event.id,
          {{kSubjectHeader, event.subject}, {kTimeHeader, std::to_string(event.time_ms)}},
          event.payload};
}

std::optional<Event> to_event(const NatsAddress& address, const ReceivedMessage& message, std::string& why) {
  const std::string own = address.subject("ninja.");
  const std::string_view subject = message.subject();
  if (!subject.starts_with(own)) {
    why = "subject " + std::string(subject) + " is not one of ours";
    return std::nullopt;
  }
  const auto id = message.header(kMsgIdHeader);
  const auto entity = message.header(kSubjectHeader);
  const auto time = message.header(kTimeHeader);
  if (!id || id->empty() || !entity || !time) {
    why = "message without the Nats-Msg-Id, Ninja-Subject and Ninja-Time-Ms headers";
    return std::nullopt;
  }
  int64_t time_ms = 0;
  const auto [end, error] = std::from_chars(time->data(), time->data() + time->size(), time_ms);
  if (error != std::errc() || end != time->data() + time->size()) {
    why = "Ninja-Time-Ms is not a number";
    return std::nullopt;
  }
  const std::string_view type = subject.substr(address.prefix().empty() ? 0 : address.prefix().size() + 1);
  return Event{std::string(*id), std::string(type), std::string(*entity), time_ms, std::string(message.data())};
}

}  // namespace ninja::events::nats
