#pragma once
// Domain events as CloudEvents 1.0 in structured JSON mode (API.md §3). They are written to the
// outbox in the same transaction as the entity and later published by the relay.
#include <cstdint>
#include <string>
#include <string_view>

namespace ninja::events {

inline constexpr std::string_view kUserCreated = "ninja.user.created";
inline constexpr std::string_view kUserDeleted = "ninja.user.deleted";
inline constexpr std::string_view kOrderCreated = "ninja.order.created";
inline constexpr std::string_view kOrderDeleted = "ninja.order.deleted";

struct Event {
  std::string id;       // UUIDv7; also the dedup id downstream (webhook-id, Nats-Msg-Id)
  std::string type;     // one of the constants above
  std::string subject;  // the entity id
  int64_t time_ms = 0;
  std::string payload;  // the whole CloudEvent as JSON text
};

// Builds the event and its CloudEvent JSON; `source` is the collection path, e.g. "/v1/orders",
// and `data_json` the entity's representation, already serialized (the API response body is the
// same text, so it is rendered once).
Event make_event(std::string id, std::string_view type, std::string_view source, std::string subject, int64_t time_ms,
                 std::string_view data_json);

}  // namespace ninja::events
