#pragma once
// Standard Webhooks signing (https://www.standardwebhooks.com): the receiver recomputes
// HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>" with the shared secret.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ninja::notify {

// `v1,<base64 signature>`, or nullopt when `secret` is not `whsec_` + base64.
std::optional<std::string> sign_webhook(std::string_view secret, std::string_view webhook_id, int64_t timestamp_seconds,
                                        std::string_view body);

}  // namespace ninja::notify
