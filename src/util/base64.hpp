#pragma once
// Base64 (RFC 4648): the standard alphabet for webhook secrets, the URL-safe unpadded one for cursors.
#include <optional>
#include <string>
#include <string_view>

namespace ninja::util {

std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);  // no padding
// Strict decoders: nullopt on any character outside the alphabet or a malformed length/padding.
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace ninja::util
