#include "config/admin_key_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace ninja::config {
namespace {

// The longest file worth reading: a key is a line, not a document.
constexpr size_t kMaxFileBytes = 4096;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string read_admin_key_file(const std::string& path) {
  const std::string where = "--admin-key-file " + path + ": ";
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::invalid_argument(where + "cannot be read (" + std::strerror(errno) + ")");
  std::string content;
  content.resize(kMaxFileBytes + 1);
  file.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (file.bad()) throw std::invalid_argument(where + "cannot be read");
  content.resize(static_cast<size_t>(file.gcount()));
  if (content.size() > kMaxFileBytes) {
    throw std::invalid_argument(where + "is larger than " + std::to_string(kMaxFileBytes) +
                                " bytes; it must hold one key");
  }
  const std::string_view key = trimmed(content);
  if (key.empty()) throw std::invalid_argument(where + "is empty; put one key in it (e.g. openssl rand -hex 32)");
  for (const char c : key) {
    if (c == '\n' || c == '\r') throw std::invalid_argument(where + "holds more than one line; it must hold one key");
  }
  for (const char c : key) {
    // The key travels in the x-api-key header: visible ASCII only (no spaces, no control bytes).
    if (c < '!' || c > '~') {
      throw std::invalid_argument(where + "the key must be printable ASCII without spaces");
    }
  }
  if (key.size() < kMinAdminKeyLength) {
    throw std::invalid_argument(where + "the key has " + std::to_string(key.size()) + " characters; at least " +
                                std::to_string(kMinAdminKeyLength) + " are needed (e.g. openssl rand -hex 32)");
  }
  return std::string(key);
}

}  // namespace ninja::config
