#include "http/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "support/nanoseconds.hpp"

namespace ninja::http {
namespace {

using test::kSecond;
constexpr int64_t kNow = 50 * kSecond;
using Limit = LimitDecision::Limit;

int passes(RateLimiter& limiter, std::string_view client, int attempts, std::optional<UsagePlan> plan = {}) {
  int n = 0;
  for (int i = 0; i < attempts; ++i) n += limiter.check(client, kNow, plan).allowed ? 1 : 0;
  return n;
}

TEST(RateLimiter, OffByDefault) {
  RateLimiter limiter({});
  EXPECT_FALSE(limiter.enabled());
  EXPECT_EQ(passes(limiter, "a", 1000), 1000);
  EXPECT_EQ(limiter.tracked_clients(), 0u);
}

TEST(RateLimiter, ClientsHaveSeparateBuckets) {
  RateLimiter limiter({0, 0, 1, 3});
  EXPECT_EQ(passes(limiter, "a", 10), 3);
  EXPECT_EQ(passes(limiter, "b", 10), 3);
  const auto refused = limiter.check("a", kNow);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.limited_by, Limit::client);
  EXPECT_EQ(refused.limit, 3);
  EXPECT_EQ(refused.bucket.retry_after_ns, kSecond);
}

TEST(RateLimiter, TheGlobalBucketIsShared) {
  RateLimiter limiter({1, 4, 0, 0});
  EXPECT_EQ(passes(limiter, "a", 3), 3);
  EXPECT_EQ(passes(limiter, "b", 3), 1);
  const auto refused = limiter.check("c", kNow);
  EXPECT_EQ(refused.limited_by, Limit::global);
  EXPECT_EQ(refused.limit, 4);
}

TEST(RateLimiter, AClientOverItsLimitDoesNotDrainTheGlobalBucket) {
  RateLimiter limiter({1, 5, 1, 2});
  EXPECT_EQ(passes(limiter, "greedy", 100), 2);
  EXPECT_EQ(passes(limiter, "polite", 2), 2);
  EXPECT_EQ(passes(limiter, "third", 5), 1);  // 5 global tokens: 2 + 2 + 1
}

TEST(RateLimiter, ReportsTheBucketClosestToRefusing) {
  RateLimiter limiter({100, 100, 1, 10});
  const auto first = limiter.check("a", kNow);
  EXPECT_EQ(first.limited_by, Limit::client);
  EXPECT_EQ(first.bucket.remaining, 9);
  EXPECT_EQ(first.limit, 10);
}

TEST(RateLimiter, AUsagePlanOverridesTheDefaultAndCanChange) {
  RateLimiter limiter({0, 0, 1, 2});
  EXPECT_EQ(passes(limiter, "key1", 10, UsagePlan{1, 6}), 6);
  EXPECT_EQ(passes(limiter, "key2", 10), 2);
  EXPECT_EQ(passes(limiter, "key1", 10, UsagePlan{1, 8}), 8);  // a new plan starts a new, full bucket
  // A plan enables per-client limits even when there is no default.
  RateLimiter plans_only({});
  EXPECT_EQ(passes(plans_only, "k", 10, UsagePlan{1, 4}), 4);
}

TEST(RateLimiter, ForgetsIdleClientsToStayBounded) {
  RateLimiter limiter({0, 0, 10, 1}, 160);  // 10 per shard
  for (int i = 0; i < 5000; ++i) {
    limiter.check("client-" + std::to_string(i), kNow + static_cast<int64_t>(i) * kSecond);
  }
  EXPECT_LE(limiter.tracked_clients(), 16u * 11u);
  // Under a flood the clients furthest from a full bucket are kept: a slow-plan client that used
  // its only token stays refused while a thousand new clients pass by.
  const int64_t later = kNow + 6000 * kSecond;
  const UsagePlan slow{0.001, 1};
  EXPECT_TRUE(limiter.check("busy", later, slow).allowed);
  for (int i = 0; i < 1000; ++i) limiter.check("other-" + std::to_string(i), later);
  EXPECT_FALSE(limiter.check("busy", later, slow).allowed);
}

TEST(RateLimiter, StaysBoundedWhenManyNewClientsArriveAtOnce) {
  RateLimiter limiter({0, 0, 1, 5}, 160);                                              // 10 per shard
  for (int i = 0; i < 200000; ++i) limiter.check("flood-" + std::to_string(i), kNow);  // none idle yet
  EXPECT_LE(limiter.tracked_clients(), 160u);
}

TEST(RateLimiter, AGlobalRefusalLeavesTheClientsBucketAlone) {
  RateLimiter limiter({1, 2, 1, 3});
  EXPECT_EQ(passes(limiter, "a", 2), 2);  // the global bucket is empty now
  EXPECT_FALSE(limiter.check("a", kNow).allowed);
  // One second later one global token is back, and "a" still has its third client token.
  const auto later = limiter.check("a", kNow + kSecond);
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.bucket.remaining, 0);
}

}  // namespace
}  // namespace ninja::http
