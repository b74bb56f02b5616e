#include "domain/user.hpp"

namespace ninja::domain {

std::string_view to_string(NotifyChannel channel) {
  switch (channel) {
    case NotifyChannel::email:
      return "email";
    case NotifyChannel::sms:
      return "sms";
    case NotifyChannel::webhook:
      return "webhook";
    case NotifyChannel::none:
      return "none";
  }
  return "none";
}

std::optional<NotifyChannel> parse_notify_channel(std::string_view text) {
  if (text == "email") return NotifyChannel::email;
  if (text == "sms") return NotifyChannel::sms;
  if (text == "webhook") return NotifyChannel::webhook;
  if (text == "none") return NotifyChannel::none;
  return std::nullopt;
}

}  // namespace ninja::domain

#include "util/base64.hpp"

namespace ninja::domain {
std::string format_webhook_secret(std::string_view secret_bytes) {
  return "whsec_" + util::base64_encode(secret_bytes);
}
}  // namespace ninja::domain
