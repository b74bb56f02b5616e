#include "util/redact.hpp"

#include <algorithm>
#include <cctype>

namespace ninja::util {
namespace {

constexpr std::string_view kMask = "***";

bool iequals_at(std::string_view text, size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  }
  return true;
}

// scheme://user:secret@host → scheme://user:***@host (the userinfo ends at the last '@' before
// the path, so a password containing '@' or ':' is masked whole).
std::string mask_userinfo(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t authority = scheme_end + 3;
  const size_t path = std::min(url.find_first_of("/?#", authority), url.size());
  const size_t at = url.substr(0, path).rfind('@');
  if (at == std::string_view::npos || at < authority) return std::string(url);
  const size_t colon = url.substr(0, at).find(':', authority);
  if (colon == std::string_view::npos) {
    // NATS takes a bare token as the userinfo (nats://TOKEN@host); elsewhere it is a user name.
    const std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "nats" && scheme != "tls") return std::string(url);
    return std::string(url.substr(0, authority)) + std::string(kMask) + std::string(url.substr(at));
  }
  return std::string(url.substr(0, colon + 1)) + std::string(kMask) + std::string(url.substr(at));
}

}  // namespace

std::string redact_credentials(std::string_view url) {
  std::string out = mask_userinfo(url);
  // password=… as a query parameter or a conninfo keyword (optionally quoted, spaces around '=').
  for (size_t i = 0; (i = out.find_first_of("pP", i)) != std::string::npos; ++i) {
    if (!iequals_at(out, i, "password")) continue;
    if (i > 0 && (std::isalnum(static_cast<unsigned char>(out[i - 1])) || out[i - 1] == '_')) continue;
    size_t eq = i + 8;
    while (eq < out.size() && out[eq] == ' ') ++eq;
    if (eq >= out.size() || out[eq] != '=') continue;
    size_t start = eq + 1;
    while (start < out.size() && out[start] == ' ') ++start;
    size_t end = start;
    if (end < out.size() && out[end] == '\'') {
      for (++end; end < out.size() && out[end] != '\''; ++end) {
        if (out[end] == '\\') ++end;
      }
      end = std::min(end + 1, out.size());
    } else {
      while (end < out.size() && out[end] != '&' && out[end] != ' ' && out[end] != '#') ++end;
    }
    out.replace(start, end - start, kMask);
    i = start + kMask.size() - 1;
  }
  return out;
}

}  // namespace ninja::util
