// util::append_serialized_string (json_text.hpp) against Boost.JSON's own serializer, for every byte that matters.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "util/json_text.hpp"

namespace ninja::util {
namespace {

std::string boost_text(std::string_view s) {
  return boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

TEST(AppendSerializedString, WritesWhatTheSerializerWritesForEveryAsciiByte) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string text = "a" + std::string(1, static_cast<char>(c)) + "z";
    std::string out = "[";
    append_serialized_string(out, text);
    EXPECT_EQ(out, "[" + boost_text(text)) << "byte " << c;
  }
}

TEST(AppendSerializedString, PassesUtf8ThroughAndAppends) {
  std::string out = "x";
  append_serialized_string(out, "ünïcøde — 🥷");
  append_serialized_string(out, "");
  EXPECT_EQ(out, "x" + boost_text("ünïcøde — 🥷") + "\"\"");
}

}  // namespace
}  // namespace ninja::util
