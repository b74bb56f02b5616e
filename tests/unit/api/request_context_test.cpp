#include <gtest/gtest.h>

#include <regex>
#include <string>

#include <boost/json/parse.hpp>

#include "api/error_mapping.hpp"
#include "api/request_context.hpp"
#include "util/base64.hpp"

namespace ninja::api {
namespace {

constexpr std::string_view kId = "0190f2a4-1b2c-7d3e-8f40-123456789abc";

http::Request with_query(std::vector<std::pair<std::string, std::string>> query) {
  http::Request r;
  r.method = "GET";
  r.path = "/v1/users";
  r.query = std::move(query);
  return r;
}

http::Request post(std::string body, std::optional<std::string> key, std::string path = "/v1/orders") {
  http::Request r;
  r.method = "POST";
  r.path = std::move(path);
  r.body = std::move(body);
  r.headers.push_back({"content-type", "application/json"});
  if (key) r.headers.push_back({"idempotency-key", *key});
  return r;
}

// ---- page_query ----------------------------------------------------------------------------------

TEST(PageQuery, Defaults) {
  const auto q = page_query(with_query({}));
  EXPECT_EQ(q.limit, 20u);
  EXPECT_EQ(q.before_id, std::nullopt);
}

TEST(PageQuery, LimitBounds) {
  EXPECT_EQ(page_query(with_query({{"limit", "1"}})).limit, 1u);
  EXPECT_EQ(page_query(with_query({{"limit", "100"}})).limit, 100u);
  EXPECT_EQ(page_query(with_query({{"limit", "37"}})).limit, 37u);
}

TEST(PageQuery, MalformedLimitIsBadQuery) {
  for (const char* bad :
       {"0", "101", "abc", "", "-1", "1.5", "10abc", " 5", "5 ", "+5", "0x10", "1e2", "99999999999999999999999999"}) {
    EXPECT_THROW(page_query(with_query({{"limit", bad}})), BadQuery) << '"' << bad << '"';
  }
}

TEST(LimitParam, HasItsOwnDefaultAndMaximum) {
  EXPECT_EQ(limit_param(with_query({}), 100, 500), 100u);
  EXPECT_EQ(limit_param(with_query({{"limit", "500"}}), 100, 500), 500u);
  try {
    limit_param(with_query({{"limit", "501"}}), 100, 500);
    ADD_FAILURE() << "501 accepted";
  } catch (const BadQuery& e) {
    EXPECT_STREQ(e.what(), "limit must be an integer from 1 to 500");
  }
  EXPECT_THROW(limit_param(with_query({{"limit", "1"}, {"limit", "2"}}), 100, 500), BadQuery);
}

TEST(PageQuery, UnknownParametersAreIgnored) {
  EXPECT_EQ(page_query(with_query({{"sort", "asc"}, {"limit", "5"}})).limit, 5u);
}

TEST(PageQuery, CursorBecomesBeforeId) {
  const auto q = page_query(with_query({{"cursor", encode_cursor(kId)}, {"limit", "10"}}));
  EXPECT_EQ(q.before_id, std::string(kId));
  EXPECT_EQ(q.limit, 10u);
}

TEST(PageQuery, MalformedCursorIsBadQuery) {
  for (const std::string& bad : {std::string(""), std::string("!!!"), std::string("abc"), std::string(kId)}) {
    EXPECT_THROW(page_query(with_query({{"cursor", bad}})), BadQuery) << '"' << bad << '"';
  }
}

TEST(PageQuery, RepeatedParameterIsNeverA500) {
  // Either one value is used or the request is a 400 bad-query; an escaping std::exception would be a 500.
  for (const char* name : {"limit", "cursor"}) {
    const std::string value = std::string(name) == "limit" ? "5" : encode_cursor(kId);
    try {
      page_query(with_query({{name, value}, {name, value}}));
    } catch (...) {
      const auto response = map_exception(std::current_exception());
      EXPECT_EQ(response.status, 400) << name;
      EXPECT_EQ(boost::json::parse(response.body).at("type").as_string(), "/problems/bad-query") << name;
    }
  }
}

// ---- cursors -------------------------------------------------------------------------------------

TEST(Cursor, RoundTrips) {
  const std::string cursor = encode_cursor(kId);
  EXPECT_EQ(decode_cursor(cursor), std::string(kId));
}

TEST(Cursor, IsOpaqueAndUrlSafe) {
  const std::string cursor = encode_cursor(kId);
  EXPECT_TRUE(std::regex_match(cursor, std::regex("[A-Za-z0-9_-]+"))) << cursor;
  EXPECT_EQ(cursor.find(kId), std::string::npos);
  EXPECT_NE(encode_cursor(kId), encode_cursor("0190f2a4-1b2c-7d3e-8f40-123456789abd"));
}

TEST(Cursor, RejectsMalformed) {
  const std::string id(kId);
  for (const std::string& bad : {
           std::string(""), std::string("not base64!"),
           util::base64url_encode(id),                                         // no version tag
           util::base64url_encode("v2:" + id),                                 // unknown version
           util::base64url_encode("v1:"),                                      // no id
           util::base64url_encode("v1:not-a-uuid"),                            // not an id
           util::base64url_encode("v1:" + id + "x"),                           // trailing garbage
           util::base64url_encode("v1:0190F2A4-1B2C-7D3E-8F40-123456789ABC"),  // not the canonical form we issue
           encode_cursor(kId) + "==",                                          // padding is not part of the format
           encode_cursor(kId) + "A",                                           // damaged
           std::string(200, 'A'),                                              // too long
       }) {
    EXPECT_EQ(decode_cursor(bad), std::nullopt) << '"' << bad << '"';
  }
}

// ---- idempotency ---------------------------------------------------------------------------------

TEST(IdempotencyContext, AbsentHeaderMeansNoContext) {
  EXPECT_EQ(idempotency_context(post("{}", std::nullopt)), std::nullopt);
}

TEST(IdempotencyContext, CarriesKeyScopeAndFingerprint) {
  auto request = post(R"({"a":1})", "order-42");
  request.client_id = "key-7";
  const auto ctx = idempotency_context(request);
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(ctx->key, "order-42");
  EXPECT_EQ(ctx->scope, "key-7");
  EXPECT_TRUE(std::regex_match(ctx->fingerprint, std::regex("[0-9a-f]{64}"))) << ctx->fingerprint;
}

TEST(IdempotencyContext, ScopeIsEmptyWithoutAuth) { EXPECT_EQ(idempotency_context(post("{}", "k"))->scope, ""); }

TEST(IdempotencyContext, KeyLengthOneTo255) {
  EXPECT_EQ(idempotency_context(post("{}", "k"))->key, "k");
  EXPECT_EQ(idempotency_context(post("{}", std::string(255, 'k')))->key, std::string(255, 'k'));
  EXPECT_THROW(idempotency_context(post("{}", std::string(256, 'k'))), BadIdempotencyKey);
  EXPECT_THROW(idempotency_context(post("{}", std::string())), BadIdempotencyKey);
}

TEST(IdempotencyContext, EveryVisibleAsciiCharacterIsAllowed) {
  std::string key;
  for (char c = 0x21; c < 0x7F; ++c) key.push_back(c);
  EXPECT_EQ(idempotency_context(post("{}", key))->key, key);
}

TEST(IdempotencyContext, NonVisibleCharactersAreRejected) {
  for (const std::string& bad : {std::string("a b"), std::string("a\tb"), std::string(" k"), std::string("k\x7f"),
                                 std::string("k\x01"), std::string("caf\xC3\xA9"), std::string("k\0k", 3)}) {
    EXPECT_THROW(idempotency_context(post("{}", bad)), BadIdempotencyKey) << '"' << bad << '"';
  }
}

TEST(IdempotencyContext, FingerprintIdentifiesMethodPathAndBody) {
  const auto base = idempotency_context(post(R"({"a":1})", "k"))->fingerprint;
  EXPECT_EQ(idempotency_context(post(R"({"a":1})", "k"))->fingerprint, base);
  EXPECT_NE(idempotency_context(post(R"({"a":2})", "k"))->fingerprint, base);
  EXPECT_NE(idempotency_context(post(R"({"a":1} )", "k"))->fingerprint, base);
  EXPECT_NE(idempotency_context(post(R"({"a":1})", "k", "/v1/users"))->fingerprint, base);
  auto other_method = post(R"({"a":1})", "k");
  other_method.method = "PUT";
  EXPECT_NE(idempotency_context(other_method)->fingerprint, base);
}

TEST(IdempotencyContext, FingerprintDoesNotDependOnKeyOrScope) {
  auto a = post("{}", "k1");
  auto b = post("{}", "k2");
  b.client_id = "other";
  EXPECT_EQ(idempotency_context(a)->fingerprint, idempotency_context(b)->fingerprint);
}

}  // namespace
}  // namespace ninja::api
