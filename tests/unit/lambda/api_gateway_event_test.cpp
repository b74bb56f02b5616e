// API Gateway proxy events (REST 1.0 and HTTP API 2.0) into the pipeline's http::Request. The
// events are hand-written after the shapes in AWS's API Gateway developer guide.
#include "lambda/api_gateway_event.hpp"

#include <gtest/gtest.h>

#include "lambda/invocation.hpp"

namespace ninja::lambda {
namespace {

// A REST API (payload 1.0) event as API Gateway sends it for `POST /v1/orders?limit=5&tag=a&tag=b c`.
constexpr const char* kRestEvent = R"({
  "resource": "/{proxy+}", "path": "/v1/orders", "httpMethod": "POST",
  "headers": {"Content-Type": "application/json", "X-Trace": "second"},
  "multiValueHeaders": {"Content-Type": ["application/json"], "X-Trace": ["first", "second"]},
  "queryStringParameters": {"limit": "5", "tag": "b c"},
  "multiValueQueryStringParameters": {"limit": ["5"], "tag": ["a", "b c"]},
  "pathParameters": {"proxy": "v1/orders"}, "stageVariables": null,
  "requestContext": {"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "stage": "prod", "path": "/prod/v1/orders",
                     "identity": {"sourceIp": "203.0.113.7", "apiKeyId": "k1a2b3", "apiKey": "secret-key"}},
  "body": "{\"user_id\":\"u\"}", "isBase64Encoded": false
})";

// An HTTP API (payload 2.0) event for `GET /v1/users?cursor=a%2Bb&limit=2`.
constexpr const char* kHttpApiEvent = R"({
  "version": "2.0", "routeKey": "$default", "rawPath": "/v1/users", "rawQueryString": "cursor=a%2Bb&limit=2",
  "cookies": ["a=1", "b=2"],
  "headers": {"accept": "application/json", "x-forwarded-for": "198.51.100.1, 10.0.0.1"},
  "queryStringParameters": {"cursor": "a+b", "limit": "2"},
  "requestContext": {"requestId": "LV7fzho-PHcEJPw=", "http": {"method": "GET", "path": "/v1/users",
                     "protocol": "HTTP/1.1", "sourceIp": "198.51.100.1", "userAgent": "curl/8"}},
  "isBase64Encoded": false
})";

std::vector<std::string> values_of(const http::Request& r, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& h : r.headers) {
    if (h.name == name) out.push_back(h.value);
  }
  return out;
}

TEST(ApiGatewayEvent, RestEventBecomesTheSameRequestTheServerWouldSee) {
  const auto decoded = decode_gateway_event(kRestEvent);
  const auto& r = decoded.request;
  EXPECT_EQ(decoded.format, PayloadFormat::v1);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v1/orders");  // not requestContext.path, which carries the stage
  EXPECT_EQ(r.target, "/v1/orders?limit=5&tag=a&tag=b%20c");
  const std::vector<std::pair<std::string, std::string>> query{{"limit", "5"}, {"tag", "a"}, {"tag", "b c"}};
  EXPECT_EQ(r.query, query);
  EXPECT_FALSE(r.malformed_query);
  EXPECT_EQ(values_of(r, "x-trace"), (std::vector<std::string>{"first", "second"}));  // multiValueHeaders win
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, "{\"user_id\":\"u\"}");
  EXPECT_EQ(r.remote_address, "203.0.113.7");
  EXPECT_EQ(r.client_id, "k1a2b3");  // the key's id is the idempotency scope; never the key itself
  EXPECT_EQ(r.header("x-request-id"), "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
}

TEST(ApiGatewayEvent, HttpApiEventKeepsTheRawQueryAndRestoresCookies) {
  const auto decoded = decode_gateway_event(kHttpApiEvent);
  const auto& r = decoded.request;
  EXPECT_EQ(decoded.format, PayloadFormat::v2);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/v1/users?cursor=a%2Bb&limit=2");
  const std::vector<std::pair<std::string, std::string>> query{{"cursor", "a+b"}, {"limit", "2"}};
  EXPECT_EQ(r.query, query);  // from rawQueryString: %2B is a plus, not a space
  EXPECT_EQ(r.header("cookie"), "a=1; b=2");
  EXPECT_EQ(r.header("x-forwarded-for"), "198.51.100.1, 10.0.0.1");
  EXPECT_EQ(r.remote_address, "198.51.100.1");
  EXPECT_TRUE(r.client_id.empty());
  EXPECT_EQ(r.header("x-request-id"), "LV7fzho-PHcEJPw=");
  EXPECT_TRUE(r.body.empty());
}

TEST(ApiGatewayEvent, TheClientsOwnRequestIdWins) {
  const auto r = decode_gateway_event(R"({"httpMethod":"GET","path":"/healthz",
      "headers":{"X-Request-Id":"mine-1"},"requestContext":{"requestId":"gw-2"}})")
                     .request;
  EXPECT_EQ(values_of(r, "x-request-id"), std::vector<std::string>{"mine-1"});
}

TEST(ApiGatewayEvent, AnUnusableClientRequestIdGivesWayToTheGateways) {
  for (const std::string& id : std::vector<std::string>{"", "has space", std::string(129, 'x')}) {
    const auto r = decode_gateway_event(R"({"httpMethod":"GET","path":"/healthz","headers":{"X-Request-Id":")" + id +
                                        R"("},"requestContext":{"requestId":"gw-3"}})")
                       .request;
    EXPECT_EQ(values_of(r, "x-request-id"), std::vector<std::string>{"gw-3"}) << id;
  }
}

TEST(ApiGatewayEvent, HttpApisDecodedRawPathIsEncodedAgain) {
  // The client asked for /v1/users%3Flimit=2 (no such resource); the HTTP API hands over the path decoded.
  auto r = decode_gateway_event(R"({"version":"2.0","rawPath":"/v1/users?limit=2","rawQueryString":"",
      "requestContext":{"http":{"method":"GET"}}})")
               .request;
  EXPECT_EQ(r.path, "/v1/users%3Flimit=2");
  EXPECT_TRUE(r.query.empty());
  r = decode_gateway_event(R"({"version":"2.0","rawPath":"/v1/users/100%","rawQueryString":"limit=1",
      "requestContext":{"http":{"method":"GET"}}})")
          .request;
  EXPECT_EQ(r.path, "/v1/users/100%25");  // a decoded '%' is not decoded twice
  EXPECT_EQ(r.target, "/v1/users/100%25?limit=1");
}

TEST(ApiGatewayEvent, NullMapsAreEmpty) {
  // What the API Gateway console's test button sends.
  const auto r = decode_gateway_event(R"({"httpMethod":"GET","path":"/v1/users","headers":null,
      "multiValueHeaders":null,"queryStringParameters":null,"multiValueQueryStringParameters":null,
      "requestContext":null,"body":null,"isBase64Encoded":false})")
                     .request;
  EXPECT_EQ(r.target, "/v1/users");
  EXPECT_TRUE(r.headers.empty());
  EXPECT_TRUE(r.query.empty());
  EXPECT_TRUE(r.body.empty());
}

TEST(ApiGatewayEvent, Base64BodiesAreDecodedToTheExactBytes) {
  // "\xff\xfe{" : not UTF-8, as binaryMediaTypes */* delivers it; the JSON layer answers 400.
  const auto r =
      decode_gateway_event(R"({"httpMethod":"POST","path":"/v1/users","body":"//57","isBase64Encoded":true})").request;
  EXPECT_EQ(r.body, std::string("\xff\xfe{", 3));
}

TEST(ApiGatewayEvent, ABrokenQueryIsTheClientsProblemNotABadEvent) {
  const auto r = decode_gateway_event(R"({"version":"2.0","rawPath":"/v1/users","rawQueryString":"cursor=%zz",
      "requestContext":{"http":{"method":"GET"}}})")
                     .request;
  EXPECT_EQ(r.path, "/v1/users");
  EXPECT_TRUE(r.malformed_query);  // the pipeline answers 400, as the server does
}

TEST(ApiGatewayEvent, WhatIsNoApiGatewayEventIsABadEvent) {
  const char* const bad[] = {
      "not json",
      "[1,2]",
      R"({"Records":[]})",                                                                // an SQS event
      R"({"httpMethod":"GET"})",                                                          // no path
      R"({"version":"2.0","rawPath":"/x"})",                                              // no method
      R"({"httpMethod":"POST","path":"/v1/users","body":"***","isBase64Encoded":true})",  // not base64
  };
  for (const char* event : bad) {
    try {
      decode_gateway_event(event);
      ADD_FAILURE() << "accepted: " << event;
    } catch (const InvocationError& e) {
      EXPECT_EQ(e.type(), kBadEvent) << event;
    }
  }
}

}  // namespace
}  // namespace ninja::lambda
