#pragma once
// A token bucket (rate tokens per second, up to `burst` stored), kept as GCRA: one "theoretical
// arrival time" instead of a token count and a refill timestamp, so one atomic compare-exchange
// decides a request without a lock. In any window of length t at most burst + rate * t requests
// pass. Time is passed in (steady-clock nanoseconds) so tests control it.
#include <atomic>
#include <cstdint>

namespace ninja::http {

struct BucketDecision {
  bool allowed = false;
  int64_t remaining = 0;       // whole tokens left after this request
  int64_t retry_after_ns = 0;  // refused: until one token is back; allowed: 0
};

class TokenBucket {
 public:
  // rate > 0; burst < 1 is taken as 1 (at least one request must be able to pass).
  TokenBucket(double rate, double burst);

  BucketDecision take(int64_t now_ns);
  // Returns the token of an allowed take (when a later check refused the request after all).
  void refund();
  // True when the bucket is full at `now_ns` (nobody used it for a while; safe to forget).
  bool full(int64_t now_ns) const;
  // When the bucket will be full again (steady-clock ns); what eviction orders clients by.
  int64_t full_at_ns() const { return tat_.load(std::memory_order_relaxed); }

  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  double rate_;
  double burst_;
  int64_t interval_ns_;                      // one token
  int64_t capacity_ns_;                      // burst tokens
  std::atomic<int64_t> tat_{INT64_MIN / 2};  // theoretical arrival time; far past = full
};

}  // namespace ninja::http
