#pragma once
// A notification delivery: one per (event, channel). The notifier keeps it up to date through every
// attempt so an operator (and GET /v1/orders/{id}/notifications) can see where each one stands.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ninja::domain {

enum class DeliveryStatus {
  pending,    // waiting for its first attempt
  delivered,  // the channel accepted it (final)
  failed,     // the last attempt failed transiently; another is scheduled
  dead,       // gave up: a permanent failure or the last allowed attempt failed (final until replayed)
  skipped,    // nothing to send: channel `none` or the user is gone (final)
};

std::string_view to_string(DeliveryStatus status);
std::optional<DeliveryStatus> parse_delivery_status(std::string_view text);

struct Delivery {
  std::string event_id;
  std::string channel;  // the user's preferred channel: webhook, email, sms or none
  std::string order_id;
  std::string user_id;
  DeliveryStatus status = DeliveryStatus::pending;
  int64_t attempts = 0;
  std::optional<std::string> last_error;
  int64_t event_time_ms = 0;  // when the order (and its event) committed
  std::string payload;        // the CloudEvent JSON, sent as is by the webhook channel
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::optional<int64_t> delivered_at_ms;
  std::optional<int64_t> next_attempt_at_ms;  // set while pending or failed

  bool is_final() const { return !next_attempt_at_ms.has_value(); }
};

}  // namespace ninja::domain
