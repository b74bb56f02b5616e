// Pipeline responses as API Gateway's response documents (1.0 and 2.0).
#include "lambda/api_gateway_reply.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace ninja::lambda {
namespace {

namespace json = boost::json;

http::Response created() {
  http::Response r = http::Response::json(201, R"({"id":"o1","total_cents":1299})");
  r.with_header("Location", "/v1/orders/o1").with_header("X-Request-Id", "r1");
  r.with_header("Vary", "Accept").with_header("Vary", "Origin");
  return r;
}

TEST(ApiGatewayReply, RestFormatPutsEveryHeaderInMultiValueHeaders) {
  const auto doc = json::parse(encode_gateway_response(created(), PayloadFormat::v1, false)).as_object();
  EXPECT_EQ(doc.at("statusCode").as_int64(), 201);
  EXPECT_FALSE(doc.contains("headers"));
  const auto& headers = doc.at("multiValueHeaders").as_object();
  EXPECT_EQ(headers.at("Content-Type"), json::array{"application/json; charset=utf-8"});
  EXPECT_EQ(headers.at("Location"), json::array{"/v1/orders/o1"});
  EXPECT_EQ(headers.at("Vary"), (json::array{"Accept", "Origin"}));
  EXPECT_EQ(doc.at("body").as_string(), R"({"id":"o1","total_cents":1299})");
  EXPECT_FALSE(doc.at("isBase64Encoded").as_bool());
}

TEST(ApiGatewayReply, HttpApiFormatJoinsRepeatedHeaders) {
  const auto doc = json::parse(encode_gateway_response(created(), PayloadFormat::v2, false)).as_object();
  const auto& headers = doc.at("headers").as_object();
  EXPECT_EQ(headers.at("Vary").as_string(), "Accept,Origin");
  EXPECT_EQ(headers.at("Location").as_string(), "/v1/orders/o1");
  EXPECT_FALSE(doc.contains("multiValueHeaders"));
}

TEST(ApiGatewayReply, HeadCarriesTheHeadersAndNoBody) {
  const auto doc = json::parse(encode_gateway_response(created(), PayloadFormat::v1, true)).as_object();
  EXPECT_EQ(doc.at("body").as_string(), "");
  EXPECT_TRUE(doc.at("multiValueHeaders").as_object().contains("Location"));
}

TEST(ApiGatewayReply, BytesThatAreNotUtf8GoAsBase64) {
  const auto doc =
      json::parse(encode_gateway_response(http::Response::text(200, "application/octet-stream", "\xff\xfe{"),
                                          PayloadFormat::v2, false))
          .as_object();
  EXPECT_TRUE(doc.at("isBase64Encoded").as_bool());
  EXPECT_EQ(doc.at("body").as_string(), "//57");
}

TEST(ApiGatewayReply, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain {\"json\": 1}"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8d\xa3"));  // été € 🍣
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));                                 // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xc3"));                                            // cut short
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));                                        // cut short
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                                        // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));                                    // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));                                    // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));                                // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));                                            // a lone continuation
  EXPECT_FALSE(is_valid_utf8("\xe2\x28\xa1"));                                    // bad continuation
}

}  // namespace
}  // namespace ninja::lambda
