#pragma once
// UUIDv7 (RFC 9562) ids: time-ordered, so sorting ids sorts by creation.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace ninja::util {

// Milliseconds since the Unix epoch; injected so tests can drive time.
using MillisClock = std::function<int64_t()>;

// Generates UUIDv7 strings that are strictly increasing within this generator (and so within the
// process, which owns exactly one): a 12-bit counter in rand_a orders ids of the same millisecond
// (RFC 9562 §6.2 method 1); when it overflows, or the clock steps back, the timestamp is carried
// forward instead of ever going backwards.
class UuidV7Generator {
 public:
  explicit UuidV7Generator(MillisClock clock);
  std::string next();

 private:
  MillisClock clock_;
  std::mutex mutex_;
  std::mt19937_64 random_;
  int64_t last_ms_ = 0;
  uint32_t counter_ = 0;
};

// The canonical lower-case form of a UUID string of any version, or nullopt if `text` is not a UUID
// in 8-4-4-4-12 hex form.
std::optional<std::string> canonical_uuid(std::string_view text);

}  // namespace ninja::util
