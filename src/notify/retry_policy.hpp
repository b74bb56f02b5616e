#pragma once
// What happens to a delivery after an attempt: delivered, retried later (exponential backoff with
// jitter, so receivers coming back from an outage are not hit by every sender at once), or dead
// after a permanent failure or the last allowed attempt.
#include <cstdint>
#include <functional>

#include "domain/delivery.hpp"
#include "notify/channel.hpp"

namespace ninja::notify {

struct RetryPolicy {
  int64_t base_ms = 1000;     // delay before the 2nd attempt (before jitter)
  int64_t max_ms = 600000;    // cap on any delay
  int64_t max_attempts = 10;  // attempts in all, the first included

  // Delay after the `attempts`-th failed attempt: base × 2^(attempts−1), capped, then "equal
  // jitter": half fixed, half uniform random (`unit` in [0, 1)), so a delay never collapses to 0.
  int64_t delay_ms(int64_t attempts, double unit) const;

  // Applies the attempt's outcome to `delivery` at `now_ms`: counts the attempt, sets status,
  // last_error, delivered_at and the next attempt (none once final).
  void apply(domain::Delivery& delivery, const Attempt& attempt, int64_t now_ms, double unit) const;
};

}  // namespace ninja::notify
