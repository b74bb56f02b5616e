#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <stdexcept>

#include "util/logging.hpp"

namespace ninja::util {
namespace {

std::string json_quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(AppendJsonString, QuotesPlainText) { EXPECT_EQ(json_quoted("hello"), "\"hello\""); }

TEST(AppendJsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(json_quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json_quoted("\n\t\x01"), R"("\u000a\u0009\u0001")");
  EXPECT_EQ(json_quoted("\x7f"), R"("\u007f")");
}

TEST(AppendJsonString, AppendsToExistingText) {
  std::string out = "x=";
  append_json_string(out, "y");
  EXPECT_EQ(out, "x=\"y\"");
}

TEST(AppendJsonString, AnyBytesYieldValidJson) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  boost::json::error_code ec;
  const auto value = boost::json::parse(json_quoted(all), ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(value.is_string());
  EXPECT_EQ(value.as_string().size(), 128u + 3 * 128u);  // alone, no byte >= 0x80 is UTF-8: each became U+FFFD
}

TEST(AppendJsonString, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(json_quoted("caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\xa5\xb7"), "\"caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\xa5\xb7\"");
  EXPECT_EQ(json_quoted("a\xff" "b"), R"("a\ufffdb")");
  EXPECT_EQ(json_quoted("\xc0\xaf"), R"("\ufffd\ufffd")");          // overlong '/'
  EXPECT_EQ(json_quoted("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // a surrogate
  EXPECT_EQ(json_quoted("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // above U+10FFFF
  EXPECT_EQ(json_quoted("\xe2\x80"), R"("\ufffd\ufffd")");          // cut short
  const auto parsed = boost::json::parse(json_quoted("caf\xc3\xa9 \xe2\x80\xa6"));
  EXPECT_EQ(parsed.as_string(), "caf\xc3\xa9 \xe2\x80\xa6");
}

TEST(MakeLoggers, AcceptsKnownLevels) {
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    const auto loggers = make_loggers(level, true);
    ASSERT_TRUE(loggers.app) << level;
    EXPECT_TRUE(loggers.access) << level;
  }
}

TEST(MakeLoggers, AccessLoggerIsNullWhenOff) {
  const auto loggers = make_loggers("info", false);
  EXPECT_TRUE(loggers.app);
  EXPECT_FALSE(loggers.access);
  EXPECT_EQ(loggers.app->level(), spdlog::level::info);
}

TEST(MakeLoggers, RejectsUnknownLevel) {
  EXPECT_THROW(make_loggers("verbose", true), std::invalid_argument);
  EXPECT_THROW(make_loggers("", true), std::invalid_argument);
}

}  // namespace
}  // namespace ninja::util
