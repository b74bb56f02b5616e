#pragma once
// Who may call the admin API (/admin/v1/*), and which x-api-key is the admin's: the one rule, asked
// by the gateway before routing.
//
//   an admin key is configured   → /admin/v1 needs it (else 401 admin-key-required), whatever --auth;
//   no admin key, --auth none and a loopback listener (`make run`) → /admin/v1 is open;
//   no admin key otherwise       → 403 admin-disabled (set --admin-key-file).
//
// "Loopback" is the address the server listens on, which it knows, never what a client claims in
// a header: a loopback listener only ever has loopback peers.
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace ninja::http {

struct AdminAccessOptions {
  std::optional<std::string> admin_key;  // --admin-key-file's key; nullopt: none configured
  bool auth_required = false;            // --auth api-key
  bool loopback_listener = false;        // the listen host is a loopback address
};

enum class AdminVerdict {
  allowed,
  key_required,  // 401: a key is configured and the request's is missing or wrong
  disabled,      // 403: no key is configured, and the admin API may not be open here
};

class AdminAccess {
 public:
  explicit AdminAccess(AdminAccessOptions options);

  static bool is_admin_path(std::string_view path);

  // The verdict for a request to /admin/v1 presenting `presented_key` ("" when it has none).
  AdminVerdict verdict(std::string_view presented_key) const;
  // Whether `presented_key` is the configured admin key (constant time; false when none is).
  bool is_admin_key(std::string_view presented_key) const;
  bool has_key() const { return key_hash_.has_value(); }
  // The problem+json answer of a refusal.
  static Response refusal(AdminVerdict verdict);

 private:
  std::optional<std::string> key_hash_;  // SHA-256 of the key: compared in time independent of where it differs
  bool open_without_key_;
};

}  // namespace ninja::http
