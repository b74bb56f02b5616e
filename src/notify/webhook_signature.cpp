#include "notify/webhook_signature.hpp"

#include "util/base64.hpp"
#include "util/crypto.hpp"

namespace ninja::notify {

std::optional<std::string> sign_webhook(std::string_view secret, std::string_view webhook_id, int64_t timestamp_seconds,
                                        std::string_view body) {
  constexpr std::string_view kPrefix = "whsec_";
  if (!secret.starts_with(kPrefix)) return std::nullopt;
  const auto key = util::base64_decode(secret.substr(kPrefix.size()));
  if (!key || key->empty()) return std::nullopt;
  std::string signed_content;
  signed_content.reserve(webhook_id.size() + body.size() + 24);
  signed_content.append(webhook_id).append(".").append(std::to_string(timestamp_seconds)).append(".").append(body);
  return "v1," + util::base64_encode(util::hmac_sha256(*key, signed_content));
}

}  // namespace ninja::notify
