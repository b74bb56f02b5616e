#pragma once
// The gateway's clocks count nanoseconds (http::TokenBucket, RateLimiter); tests step them by this.
#include <cstdint>

namespace ninja::test {

inline constexpr int64_t kSecond = 1'000'000'000;

}  // namespace ninja::test
