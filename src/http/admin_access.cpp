#include "http/admin_access.hpp"

#include "http/problem.hpp"
#include "util/crypto.hpp"

namespace ninja::http {

AdminAccess::AdminAccess(AdminAccessOptions options)
    : open_without_key_(!options.auth_required && options.loopback_listener) {
  if (options.admin_key) key_hash_ = util::sha256_hex(*options.admin_key);
}

bool AdminAccess::is_admin_path(std::string_view path) { return path == "/admin" || path.starts_with("/admin/"); }

bool AdminAccess::is_admin_key(std::string_view presented_key) const {
  // Hashing first makes the comparison's time independent of the presented key's length as well.
  return key_hash_ && !presented_key.empty() && util::constant_time_equal(util::sha256_hex(presented_key), *key_hash_);
}

AdminVerdict AdminAccess::verdict(std::string_view presented_key) const {
  if (key_hash_) return is_admin_key(presented_key) ? AdminVerdict::allowed : AdminVerdict::key_required;
  return open_without_key_ ? AdminVerdict::allowed : AdminVerdict::disabled;
}

Response AdminAccess::refusal(AdminVerdict verdict) {
  if (verdict == AdminVerdict::key_required) {
    return problem(401, "admin-key-required", "Admin key required",
                   "the admin API needs the admin key (the one in the server's --admin-key-file) in x-api-key")
        .with_header("WWW-Authenticate", "ApiKey header=\"x-api-key\"");
  }
  return problem(403, "admin-disabled", "Admin API disabled",
                 "the admin API is open without a key only with --auth none on a loopback address; start the "
                 "server with --admin-key-file to use it here");
}

}  // namespace ninja::http
