#include "http/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace ninja::http {

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(rate),
      burst_(std::max(1.0, burst)),
      interval_ns_(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(1e9 / rate)))),
      capacity_ns_(static_cast<int64_t>(std::floor(burst_)) * interval_ns_) {}

// GCRA: a request at `now` advances tat = max(tat, now) by one interval; it may pass when the
// advanced tat stays within `capacity` of now (i.e. at least one of `burst` tokens is left).
BucketDecision TokenBucket::take(int64_t now_ns) {
  int64_t tat = tat_.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t next = std::max(tat, now_ns) + interval_ns_;
    const int64_t ahead = next - now_ns;  // how far the bucket would be drained, in time
    if (ahead > capacity_ns_) {
      BucketDecision refused;
      refused.retry_after_ns = ahead - capacity_ns_;
      return refused;
    }
    if (tat_.compare_exchange_weak(tat, next, std::memory_order_relaxed)) {
      return {true, (capacity_ns_ - ahead) / interval_ns_, 0};
    }
  }
}

void TokenBucket::refund() { tat_.fetch_sub(interval_ns_, std::memory_order_relaxed); }

bool TokenBucket::full(int64_t now_ns) const { return tat_.load(std::memory_order_relaxed) <= now_ns; }

}  // namespace ninja::http
