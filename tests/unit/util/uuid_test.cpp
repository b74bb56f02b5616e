#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "util/uuid.hpp"

namespace ninja::util {
namespace {

// The 48-bit unix_ts_ms field of a UUIDv7 string.
int64_t timestamp_of(const std::string& id) {
  return static_cast<int64_t>(std::stoull(id.substr(0, 8) + id.substr(9, 4), nullptr, 16));
}

// The 12-bit rand_a field (this generator's counter).
uint32_t counter_of(const std::string& id) { return static_cast<uint32_t>(std::stoul(id.substr(15, 3), nullptr, 16)); }

MillisClock fixed_clock(int64_t ms) {
  return [ms] { return ms; };
}

TEST(UuidV7, HasCanonicalShapeVersion7AndRfcVariant) {
  static const std::regex kShape("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  UuidV7Generator ids(fixed_clock(1795498020123));
  for (int i = 0; i < 1000; ++i) {
    const std::string id = ids.next();
    ASSERT_EQ(id.size(), 36u);
    ASSERT_TRUE(std::regex_match(id, kShape)) << id;
    ASSERT_EQ(id[14], '7') << id;  // version nibble
    const int variant = std::stoi(id.substr(19, 1), nullptr, 16);
    ASSERT_EQ(variant & 0xC, 0x8) << id;  // variant bits 10
  }
}

TEST(UuidV7, EncodesTheClockInTheFirst48Bits) {
  UuidV7Generator ids(fixed_clock(0x0123456789AB));
  const std::string id = ids.next();
  EXPECT_EQ(id.substr(0, 13), "01234567-89ab");
  EXPECT_EQ(timestamp_of(id), 0x0123456789AB);
}

TEST(UuidV7, FirstIdOfAMillisecondStartsLowInTheCounterSpace) {
  for (int i = 0; i < 50; ++i) {
    UuidV7Generator ids(fixed_clock(1000 + i));
    EXPECT_LE(counter_of(ids.next()), 1023u);
  }
}

TEST(UuidV7, StrictlyIncreasingWhenClockStandsStill) {
  constexpr int64_t kNow = 1795498020123;
  UuidV7Generator ids(fixed_clock(kNow));
  std::string previous = ids.next();
  EXPECT_EQ(timestamp_of(previous), kNow);
  for (int i = 1; i < 100000; ++i) {
    std::string id = ids.next();
    ASSERT_GT(id, previous) << "at " << i;
    ASSERT_GE(timestamp_of(id), kNow);
    previous = std::move(id);
  }
  // 100k ids cannot fit 4096 per millisecond: the timestamp was carried forward, by as little as needed.
  EXPECT_GT(timestamp_of(previous), kNow + 20);
  EXPECT_LE(timestamp_of(previous), kNow + 25);
}

TEST(UuidV7, StrictlyIncreasingWhenClockStepsBack) {
  int64_t now = 2000000000000;
  UuidV7Generator ids([&now] { return now--; });  // every call is one millisecond earlier
  std::string previous = ids.next();
  const int64_t first_ts = timestamp_of(previous);
  EXPECT_EQ(first_ts, 2000000000000);
  for (int i = 1; i < 100000; ++i) {
    std::string id = ids.next();
    ASSERT_GT(id, previous) << "at " << i;
    ASSERT_GE(timestamp_of(id), first_ts);
    previous = std::move(id);
  }
}

TEST(UuidV7, ClockJumpBackThenForwardNeverReordersIds) {
  int64_t now = 5000;
  UuidV7Generator ids([&now] { return now; });
  const std::string a = ids.next();
  now = 1000;  // big step back
  const std::string b = ids.next();
  const std::string c = ids.next();
  now = 4999;  // still behind the last issued timestamp
  const std::string d = ids.next();
  now = 6000;  // finally ahead
  const std::string e = ids.next();
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  EXPECT_LT(d, e);
  EXPECT_EQ(timestamp_of(b), 5000);
  EXPECT_EQ(timestamp_of(d), 5000);
  EXPECT_EQ(timestamp_of(e), 6000);
}

TEST(UuidV7, AdvancingClockUsesItsTimestamp) {
  int64_t now = 1000;
  UuidV7Generator ids([&now] { return now; });
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    now += 1;
    const std::string id = ids.next();
    ASSERT_EQ(timestamp_of(id), now);
    ASSERT_GT(id, previous);
    previous = id;
  }
}

TEST(UuidV7, UniqueAndOrderedPerThreadUnderConcurrency) {
  UuidV7Generator ids(fixed_clock(1795498020123));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::vector<std::string>> produced(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) produced[t].push_back(ids.next());
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& list : produced) {
    for (size_t i = 1; i < list.size(); ++i) ASSERT_LT(list[i - 1], list[i]);
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(UuidV7, RandomPartDiffersBetweenGenerators) {
  UuidV7Generator a(fixed_clock(1000));
  UuidV7Generator b(fixed_clock(1000));
  EXPECT_NE(a.next().substr(19), b.next().substr(19));
}

TEST(CanonicalUuid, AcceptsLowerCaseUnchanged) {
  EXPECT_EQ(canonical_uuid("0190f2a4-1b2c-7d3e-8f40-123456789abc"), "0190f2a4-1b2c-7d3e-8f40-123456789abc");
}

TEST(CanonicalUuid, LowerCasesUpperAndMixedCase) {
  EXPECT_EQ(canonical_uuid("0190F2A4-1B2C-7D3E-8F40-123456789ABC"), "0190f2a4-1b2c-7d3e-8f40-123456789abc");
  EXPECT_EQ(canonical_uuid("AbCdEf01-2345-6789-aBcD-eF0123456789"), "abcdef01-2345-6789-abcd-ef0123456789");
}

TEST(CanonicalUuid, AcceptsAnyVersion) {
  EXPECT_EQ(canonical_uuid("123e4567-e89b-42d3-a456-426614174000"), "123e4567-e89b-42d3-a456-426614174000");
  EXPECT_EQ(canonical_uuid("00000000-0000-0000-0000-000000000000"), "00000000-0000-0000-0000-000000000000");
}

TEST(CanonicalUuid, RejectsMalformed) {
  for (const char* bad : {
           "",
           "0190f2a4-1b2c-7d3e-8f40-123456789ab",    // 35 characters
           "0190f2a4-1b2c-7d3e-8f40-123456789abcd",  // 37 characters
           "0190f2a41b2c7d3e8f40123456789abc",       // no hyphens
           "0190f2a4-1b2c-7d3e-8f40_123456789abc",   // wrong separator
           "0190f2a41-b2c-7d3e-8f40-123456789abc",   // hyphen misplaced
           "0190f2a4-1b2c-7d3e-8f40-123456789abg",   // non-hex
           "{190f2a4-1b2c-7d3e-8f40-123456789ab}",   // braces
           " 190f2a4-1b2c-7d3e-8f40-123456789abc",   // space
           "0190f2a4-1b2c-7d3e-8f40-123456789ab\n",  // control character
           "------------------------------------",
           "not-a-uuid",
       }) {
    EXPECT_EQ(canonical_uuid(bad), std::nullopt) << '"' << bad << '"';
  }
  EXPECT_EQ(canonical_uuid(std::string_view("0190f2a4-1b2c-7d3e-8f40-123456789ab\0", 36)), std::nullopt);
}

TEST(CanonicalUuid, GeneratedIdsAreCanonical) {
  UuidV7Generator ids(fixed_clock(1795498020123));
  const std::string id = ids.next();
  EXPECT_EQ(canonical_uuid(id), id);
}

}  // namespace
}  // namespace ninja::util
