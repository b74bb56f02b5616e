#pragma once
// How long to wait before retrying an AWS call: capped exponential backoff with "full jitter"
// (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniform draw in [0, min(cap,
// base·2^(n-1))] before retry n. Full jitter spreads the clients that were throttled together
// the most, and throttling is exactly when many of them were.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace ninja::aws {

class RetryBackoff {
 public:
  RetryBackoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, uint64_t seed)
      : base_(std::max(base, std::chrono::milliseconds(1))), cap_(std::max(cap, base_)), random_(seed) {}

  // The longest delay before retry `retry` (1 for the first retry).
  std::chrono::milliseconds ceiling(int retry) const {
    const int doublings = std::clamp(retry - 1, 0, 30);
    return std::min(cap_, base_ * (int64_t{1} << doublings));
  }
  std::chrono::milliseconds delay(int retry) {
    std::uniform_int_distribution<int64_t> draw(0, ceiling(retry).count());
    return std::chrono::milliseconds(draw(random_));
  }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  std::mt19937_64 random_;
};

}  // namespace ninja::aws
