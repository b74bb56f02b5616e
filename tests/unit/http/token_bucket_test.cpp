#include "http/token_bucket.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "support/nanoseconds.hpp"

namespace ninja::http {
namespace {

using test::kSecond;
constexpr int64_t kStart = 1000 * kSecond;

TEST(TokenBucket, StartsFullAndRefusesBeyondTheBurst) {
  TokenBucket bucket(10, 5);
  for (int i = 0; i < 5; ++i) {
    const auto d = bucket.take(kStart);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 4 - i);
  }
  const auto refused = bucket.take(kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_ns, kSecond / 10);  // one token at 10/s
}

TEST(TokenBucket, RefillsAtTheRateAndNeverAboveTheBurst) {
  TokenBucket bucket(10, 5);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(bucket.take(kStart).allowed);
  EXPECT_FALSE(bucket.take(kStart + kSecond / 10 - 1).allowed);
  EXPECT_TRUE(bucket.take(kStart + kSecond / 10).allowed);
  EXPECT_FALSE(bucket.take(kStart + kSecond / 10).allowed);
  EXPECT_FALSE(bucket.full(kStart + kSecond / 10));
  // An hour later only `burst` requests pass at once.
  const int64_t later = kStart + 3600 * kSecond;
  EXPECT_TRUE(bucket.full(later));
  int passed = 0;
  while (bucket.take(later).allowed) ++passed;
  EXPECT_EQ(passed, 5);
}

TEST(TokenBucket, RetryAfterIsExact) {
  TokenBucket bucket(4, 1);
  ASSERT_TRUE(bucket.take(kStart).allowed);
  const auto refused = bucket.take(kStart + kSecond / 8);
  ASSERT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ns, kSecond / 8);
  EXPECT_FALSE(bucket.take(kStart + kSecond / 8 + refused.retry_after_ns - 1).allowed);
  EXPECT_TRUE(bucket.take(kStart + kSecond / 8 + refused.retry_after_ns).allowed);
}

TEST(TokenBucket, FractionalRatesAndAMinimumBurstOfOne) {
  TokenBucket bucket(0.5, 0);
  EXPECT_EQ(bucket.burst(), 1.0);
  EXPECT_TRUE(bucket.take(kStart).allowed);
  EXPECT_FALSE(bucket.take(kStart + kSecond).allowed);
  EXPECT_TRUE(bucket.take(kStart + 2 * kSecond).allowed);
}

// Offers requests at `factor` times the rate for 10 simulated seconds and checks every window
// that starts and ends on an allowed request: count <= burst + rate * t.
void check_windows(double rate, double burst, double factor) {
  TokenBucket bucket(rate, burst);
  // Rounded up, so `factor` steps never fall a nanosecond short of one token's interval.
  const auto step = static_cast<int64_t>(std::ceil(static_cast<double>(kSecond) / (rate * factor)));
  std::vector<int64_t> allowed;
  for (int64_t t = kStart; t < kStart + 10 * kSecond; t += step) {
    if (bucket.take(t).allowed) allowed.push_back(t);
  }
  for (size_t i = 0; i < allowed.size(); ++i) {
    for (size_t j = i; j < allowed.size(); ++j) {
      const double window = static_cast<double>(allowed[j] - allowed[i]) / kSecond;
      ASSERT_LE(static_cast<double>(j - i + 1), burst + rate * window + 1e-9)
          << "rate " << rate << " burst " << burst << " factor " << factor << " window " << window;
    }
  }
  // And the limiter is not stingy: close to burst + rate * 10 s pass.
  EXPECT_GE(static_cast<double>(allowed.size()), burst + rate * 10 - 2) << "factor " << factor;
}

TEST(TokenBucket, NeverExceedsBurstPlusRateTimesWindow) {
  for (double factor : {2.0, 3.0, 5.0}) {
    check_windows(50, 10, factor);
    check_windows(7, 1, factor);
    check_windows(100, 25, factor);
  }
}

// A client that comes back exactly when told to (Retry-After) at rates whose token interval is not
// a whole number of nanoseconds.
TEST(TokenBucket, RetryingExactlyOnTimeStaysWithinTheBound) {
  for (double rate : {3.0, 30.0, 7.0, 0.3}) {
    TokenBucket bucket(rate, 1);
    int64_t t = kStart;
    int allowed = 0;
    const int64_t end = kStart + static_cast<int64_t>(100 / rate) * kSecond;
    while (t < end) {
      const auto d = bucket.take(t);
      if (d.allowed) {
        ++allowed;
      } else {
        t += d.retry_after_ns;
      }
    }
    const double window = static_cast<double>(t - kStart) / kSecond;
    EXPECT_LE(allowed, 1 + rate * window) << "rate " << rate;
    EXPECT_GE(allowed, rate * window - 1) << "rate " << rate;
  }
}

TEST(TokenBucket, RefundGivesTheTokenBack) {
  TokenBucket bucket(1, 2);
  ASSERT_TRUE(bucket.take(kStart).allowed);
  ASSERT_TRUE(bucket.take(kStart).allowed);
  ASSERT_FALSE(bucket.take(kStart).allowed);
  bucket.refund();
  EXPECT_TRUE(bucket.take(kStart).allowed);
  EXPECT_FALSE(bucket.take(kStart).allowed);
}

TEST(TokenBucket, ConcurrentTakersGetExactlyTheBurst) {
  TokenBucket bucket(1, 1000);
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (bucket.take(kStart).allowed) passed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(passed.load(), 1000);
}

}  // namespace
}  // namespace ninja::http
