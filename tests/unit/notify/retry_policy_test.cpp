#include <gtest/gtest.h>

#include "notify/retry_policy.hpp"

namespace ninja::notify {
namespace {

using domain::Delivery;
using domain::DeliveryStatus;

constexpr RetryPolicy kPolicy{1000, 8000, 4};

TEST(RetryPolicy, DelayDoublesFromTheBaseUpToTheCap) {
  // unit 1.0 is the top of the jitter range: the plain exponential value.
  EXPECT_EQ(kPolicy.delay_ms(1, 1.0), 1000);
  EXPECT_EQ(kPolicy.delay_ms(2, 1.0), 2000);
  EXPECT_EQ(kPolicy.delay_ms(3, 1.0), 4000);
  EXPECT_EQ(kPolicy.delay_ms(4, 1.0), 8000);
  EXPECT_EQ(kPolicy.delay_ms(5, 1.0), 8000);
  EXPECT_EQ(kPolicy.delay_ms(1000, 1.0), 8000);  // no overflow after many attempts
}

TEST(RetryPolicy, JitterKeepsAtLeastHalfTheDelay) {
  EXPECT_EQ(kPolicy.delay_ms(3, 0.0), 2000);
  EXPECT_EQ(kPolicy.delay_ms(3, 0.5), 3000);
  for (double unit : {0.0, 0.1, 0.37, 0.5, 0.99, 1.0}) {
    const auto delay = kPolicy.delay_ms(2, unit);
    EXPECT_GE(delay, 1000) << unit;
    EXPECT_LE(delay, 2000) << unit;
  }
  EXPECT_EQ(kPolicy.delay_ms(2, -3.0), 1000);  // out-of-range randomness is clamped
  EXPECT_EQ(kPolicy.delay_ms(2, 7.0), 2000);
}

Delivery pending() {
  Delivery d;
  d.event_id = "e1";
  d.next_attempt_at_ms = 100;
  return d;
}

TEST(RetryPolicy, DeliveredIsFinal) {
  auto d = pending();
  d.last_error = "HTTP 503";
  kPolicy.apply(d, {Outcome::delivered, ""}, 5000, 0.5);
  EXPECT_EQ(d.status, DeliveryStatus::delivered);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.delivered_at_ms, 5000);
  EXPECT_EQ(d.updated_at_ms, 5000);
  EXPECT_EQ(d.last_error, std::nullopt);
  EXPECT_TRUE(d.is_final());
}

TEST(RetryPolicy, TransientFailuresAreRetriedUntilTheLastAttempt) {
  auto d = pending();
  int64_t now = 10'000;
  for (int attempt = 1; attempt < kPolicy.max_attempts; ++attempt) {
    kPolicy.apply(d, {Outcome::retry, "HTTP 503"}, now, 1.0);
    EXPECT_EQ(d.status, DeliveryStatus::failed);
    EXPECT_EQ(d.attempts, attempt);
    EXPECT_EQ(d.last_error, "HTTP 503");
    EXPECT_EQ(d.next_attempt_at_ms, now + kPolicy.delay_ms(attempt, 1.0));
    now = *d.next_attempt_at_ms;
  }
  kPolicy.apply(d, {Outcome::retry, "HTTP 503"}, now, 1.0);
  EXPECT_EQ(d.status, DeliveryStatus::dead);
  EXPECT_EQ(d.attempts, kPolicy.max_attempts);
  EXPECT_EQ(d.last_error, "HTTP 503 (gave up after 4 attempts)");
  EXPECT_TRUE(d.is_final());
}

TEST(RetryPolicy, PermanentFailuresAreDeadAtOnce) {
  auto d = pending();
  kPolicy.apply(d, {Outcome::dead, "HTTP 400"}, 7, 0.5);
  EXPECT_EQ(d.status, DeliveryStatus::dead);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_error, "HTTP 400");
  EXPECT_EQ(d.delivered_at_ms, std::nullopt);
  EXPECT_TRUE(d.is_final());
}

TEST(RetryPolicy, OneAttemptAllowedMeansNoRetry) {
  const RetryPolicy once{1000, 8000, 1};
  auto d = pending();
  once.apply(d, {Outcome::retry, "timeout"}, 7, 0.5);
  EXPECT_EQ(d.status, DeliveryStatus::dead);
}

}  // namespace
}  // namespace ninja::notify
