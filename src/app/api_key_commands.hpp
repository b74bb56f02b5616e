#pragma once
// `ninja-orders apikey create | list | revoke`: work on the store directly; running servers pick
// the change up within a second (see api_key_cache.hpp). Each returns the process exit code.
#include <ostream>

#include "config/config.hpp"
#include "util/logging.hpp"

namespace ninja::app {

// Prints the new key as one JSON object; the "key" field is shown this once and never again.
int apikey_create(const config::Config& config, std::ostream& out, const util::Loggers& log);
// One JSON line per key: id, name, rate, burst, created_at, revoked_at (never the key or its hash).
int apikey_list(const config::Config& config, std::ostream& out, const util::Loggers& log);
int apikey_revoke(const config::Config& config, std::ostream& out, const util::Loggers& log);

}  // namespace ninja::app
