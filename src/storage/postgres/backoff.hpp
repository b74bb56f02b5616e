#pragma once
// Reconnect delays: exponential from `min` up to `max`, with "equal jitter" (half the delay fixed,
// half random) so connections that broke together (a server restart) do not all retry in step.
#include <algorithm>
#include <chrono>
#include <random>

namespace ninja::storage::postgres {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
      : min_(std::max(min, std::chrono::milliseconds(1))), max_(std::max(max, min_)), random_(std::random_device{}()) {}

  // The delay before the next attempt; each call doubles the base until `max`.
  std::chrono::milliseconds next() {
    const auto base = std::min(max_, min_ * (int64_t{1} << std::min(failures_, 20)));
    ++failures_;
    std::uniform_int_distribution<int64_t> half(0, base.count() / 2);
    return std::chrono::milliseconds(base.count() - base.count() / 2 + half(random_));
  }
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  int failures_ = 0;
  std::minstd_rand random_;
};

}  // namespace ninja::storage::postgres
