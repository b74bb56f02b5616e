#pragma once
#include <cstdint>
#include <string>

namespace ninja::util {

// Wall-clock milliseconds since the Unix epoch (the default MillisClock).
int64_t system_millis();

// RFC 3339 UTC with milliseconds, e.g. 2026-11-24T05:27:00.123Z.
std::string format_rfc3339_millis(int64_t unix_ms);

}  // namespace ninja::util
