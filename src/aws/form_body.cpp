#include "aws/form_body.hpp"

#include "util/hex_digits.hpp"

namespace ninja::aws {

namespace {

void append_encoded(std::string& out, const std::string& text) {
  for (const unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += util::kUpperHexDigits[c >> 4];
      out += util::kUpperHexDigits[c & 0x0F];
    }
  }
}

}  // namespace

std::string form_body(const FormParams& params) {
  std::string body;
  for (const auto& [name, value] : params) {
    if (!body.empty()) body += '&';
    append_encoded(body, name);
    body += '=';
    append_encoded(body, value);
  }
  return body;
}

}  // namespace ninja::aws
