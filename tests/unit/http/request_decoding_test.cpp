#include "http/request_decoding.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

namespace ninja::http {
namespace {

namespace bhttp = boost::beast::http;

Request decode(std::string target) {
  bhttp::request<bhttp::string_body> message{bhttp::verb::get, target, 11};
  message.set(bhttp::field::host, "example.com");
  message.set("X-Request-ID", "abc");
  return to_request(std::move(message), "127.0.0.1");
}

TEST(RequestDecoding, APlainPathIsItsOwnPathWithoutAQuery) {
  const auto r = decode("/v1/orders/0190f2a4-1b2c-7d3e-8f40-123456789abc");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/v1/orders/0190f2a4-1b2c-7d3e-8f40-123456789abc");
  EXPECT_TRUE(r.query.empty());
  EXPECT_FALSE(r.malformed_query);
  EXPECT_EQ(r.header("x-request-id"), "abc");  // names lower-cased
  EXPECT_EQ(r.remote_address, "127.0.0.1");
}

TEST(RequestDecoding, AQueryIsPercentDecoded) {
  const auto r = decode("/v1/orders?user_id=a%20b&limit=5");
  EXPECT_EQ(r.path, "/v1/orders");
  ASSERT_EQ(r.query.size(), 2u);
  EXPECT_EQ(r.query[0], (std::pair<std::string, std::string>{"user_id", "a b"}));
  EXPECT_EQ(r.query[1], (std::pair<std::string, std::string>{"limit", "5"}));
}

TEST(RequestDecoding, ABrokenQueryOnAGoodPathIsFlagged) {
  const auto r = decode("/v1/orders?cursor=%%%");
  EXPECT_EQ(r.path, "/v1/orders");
  EXPECT_TRUE(r.malformed_query);
}

// The shortcut for plain paths must agree with the URL parser on every character it could meet.
TEST(RequestDecoding, EveryCharacterDecodesAsTheUrlParserSaysWithOrWithoutTheShortcut) {
  for (int c = 0x21; c < 0x7f; ++c) {
    const std::string target = std::string("/v1/a") + static_cast<char>(c) + "b/c";
    const auto r = decode(target);
    const auto parsed = boost::urls::parse_origin_form(target);
    if (parsed) {
      EXPECT_EQ(r.path, std::string(parsed->encoded_path())) << "character " << c;
      EXPECT_EQ(r.query.size(), static_cast<size_t>(parsed->params().size())) << "character " << c;
    } else {
      EXPECT_NE(r.path, "/v1/ab/c") << "character " << c;
    }
    EXPECT_FALSE(r.path.empty()) << "character " << c;
  }
}

}  // namespace
}  // namespace ninja::http
