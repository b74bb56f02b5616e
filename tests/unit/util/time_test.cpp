#include <gtest/gtest.h>

#include <regex>

#include "util/time.hpp"

namespace ninja::util {
namespace {

TEST(FormatRfc3339Millis, Epoch) { EXPECT_EQ(format_rfc3339_millis(0), "1970-01-01T00:00:00.000Z"); }

TEST(FormatRfc3339Millis, ContractExample) {
  EXPECT_EQ(format_rfc3339_millis(1795498020123), "2026-11-24T05:27:00.123Z");
}

TEST(FormatRfc3339Millis, PadsMillisecondsToThreeDigits) {
  EXPECT_EQ(format_rfc3339_millis(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(format_rfc3339_millis(10), "1970-01-01T00:00:00.010Z");
  EXPECT_EQ(format_rfc3339_millis(61001), "1970-01-01T00:01:01.001Z");
}

TEST(FormatRfc3339Millis, LeapDayAndYearBoundaries) {
  EXPECT_EQ(format_rfc3339_millis(951868799999), "2000-02-29T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_millis(2147483648000), "2038-01-19T03:14:08.000Z");
  EXPECT_EQ(format_rfc3339_millis(253402300799999), "9999-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339Millis, YearsPastFourDigitsStillFormat) {
  EXPECT_EQ(format_rfc3339_millis(253402300800000), "10000-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339Millis, BeforeEpochRoundsTowardsPast) {
  EXPECT_EQ(format_rfc3339_millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_millis(-86400000), "1969-12-31T00:00:00.000Z");
}

TEST(SystemMillis, IsCurrentWallClockInMilliseconds) {
  const int64_t now = system_millis();
  EXPECT_GT(now, 1700000000000);  // after Nov 2023
  EXPECT_LT(now, 4102444800000);  // before 2100
  const int64_t later = system_millis();
  EXPECT_GE(later, now);
}

TEST(SystemMillis, FormatsAsRfc3339) {
  static const std::regex kShape(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(format_rfc3339_millis(system_millis()), kShape));
}

}  // namespace
}  // namespace ninja::util
