#pragma once
// Credentials never reach a log line: store and bus URLs may carry a password (libpq URIs
// `postgres://user:secret@host/db`, keyword strings `password=secret`, `?password=secret`).
#include <string>
#include <string_view>

namespace ninja::util {

// The URL or libpq connection string with every password replaced by "***".
std::string redact_credentials(std::string_view url);

}  // namespace ninja::util
