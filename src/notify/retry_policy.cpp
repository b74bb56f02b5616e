#include "notify/retry_policy.hpp"

#include <algorithm>

namespace ninja::notify {

int64_t RetryPolicy::delay_ms(int64_t attempts, double unit) const {
  int64_t delay = std::max<int64_t>(base_ms, 1);
  for (int64_t i = 1; i < attempts && delay < max_ms; ++i) delay *= 2;  // no overflow: stops at the cap
  delay = std::min(delay, max_ms);
  const int64_t half = delay / 2;
  return delay - half + static_cast<int64_t>(static_cast<double>(half) * std::clamp(unit, 0.0, 1.0));
}

void RetryPolicy::apply(domain::Delivery& delivery, const Attempt& attempt, int64_t now_ms, double unit) const {
  delivery.attempts += 1;
  delivery.updated_at_ms = now_ms;
  switch (attempt.outcome) {
    case Outcome::delivered:
      delivery.status = domain::DeliveryStatus::delivered;
      delivery.last_error.reset();
      delivery.delivered_at_ms = now_ms;
      delivery.next_attempt_at_ms.reset();
      return;
    case Outcome::retry:
      if (delivery.attempts < max_attempts) {
        delivery.status = domain::DeliveryStatus::failed;
        delivery.last_error = attempt.error;
        delivery.next_attempt_at_ms = now_ms + delay_ms(delivery.attempts, unit);
        return;
      }
      delivery.status = domain::DeliveryStatus::dead;
      delivery.last_error = attempt.error + " (gave up after " + std::to_string(delivery.attempts) + " attempts)";
      delivery.next_attempt_at_ms.reset();
      return;
    case Outcome::dead:
      delivery.status = domain::DeliveryStatus::dead;
      delivery.last_error = attempt.error;
      delivery.next_attempt_at_ms.reset();
      return;
  }
}

}  // namespace ninja::notify
