#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ninja::domain {

enum class NotifyChannel { email, sms, webhook, none };

std::string_view to_string(NotifyChannel channel);
std::optional<NotifyChannel> parse_notify_channel(std::string_view text);

struct User {
  std::string id;
  std::string name;
  std::string email;
  std::optional<std::string> phone;
  NotifyChannel notify_channel = NotifyChannel::email;
  std::optional<std::string> webhook_url;
  // `whsec_` + base64 of 32 random bytes; only for the webhook channel. Shown once, at creation.
  std::optional<std::string> webhook_secret;
  int64_t created_at_ms = 0;
};

}  // namespace ninja::domain

namespace ninja::domain {
// `whsec_` + base64 of the secret bytes (Standard Webhooks' format).
std::string format_webhook_secret(std::string_view secret_bytes);
}  // namespace ninja::domain
