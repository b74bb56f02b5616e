#pragma once
// How tests find the real servers they run against (PostgreSQL, NATS): the test setup
// (tests/servers/with-servers) starts them and exports their URLs. A test whose server is not
// there skips with a one-line reason, except in CI (CI=true), where that is a failure: CI may
// never skip a backend silently.
#include <cstdlib>
#include <optional>
#include <string>

namespace ninja::testing_support {

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// The URL in `env_var`, or nullopt when it is unset or empty.
inline std::optional<std::string> server_url(const char* env_var) {
  const char* url = std::getenv(env_var);
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

}  // namespace ninja::testing_support

// In SetUp(): skips the test with `reason` (a failure when CI=true).
#define NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(reason)                               \
  do {                                                                          \
    if (::ninja::testing_support::in_ci()) {                                    \
      FAIL() << (reason) << " (CI=true: a backend's tests may not be skipped)"; \
    }                                                                           \
    GTEST_SKIP() << (reason);                                                   \
  } while (false)
