#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "http/router.hpp"

namespace ninja::http {
namespace {

Handler answer(int status) {
  return [status](const Request&, const PathParams&) { return Response::empty(status); };
}

AsyncHandler answer_async(int status) {
  return [status](const Request&, const PathParams&, Respond respond) { respond(Response::empty(status)); };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add("GET", "/v1/users", answer(200));
    router.add_async("POST", "/v1/users", answer_async(201));
    router.add("GET", "/v1/users/{id}", answer(202));
    router.add_async("DELETE", "/v1/users/{id}", answer_async(204));
    router.add("GET", "/v1/users/{id}/orders", answer(203));
    router.add("GET", "/healthz", answer(200));
  }

  const Route* matched(std::string_view method, std::string_view path, PathParams* params = nullptr) {
    auto result = router.match(method, path);
    auto* match = std::get_if<RouteMatch>(&result);
    if (!match) return nullptr;
    if (params) *params = match->params;
    return match->route;
  }

  std::string allow(std::string_view method, std::string_view path) {
    auto result = router.match(method, path);
    auto* not_allowed = std::get_if<MethodNotAllowed>(&result);
    return not_allowed ? not_allowed->allow : "<not a 405>";
  }

  bool not_found(std::string_view method, std::string_view path) {
    return std::holds_alternative<NotFound>(router.match(method, path));
  }

  Router router;
};

TEST_F(RouterTest, MatchesLiteralTemplate) {
  const Route* route = matched("GET", "/v1/users");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->pattern, "/v1/users");
  EXPECT_EQ(route->method, "GET");
  EXPECT_TRUE(route->handler);
  EXPECT_FALSE(route->async_handler);
  const Route* post = matched("POST", "/v1/users");
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(post->method, "POST");
  EXPECT_EQ(post->pattern, "/v1/users");
  EXPECT_FALSE(post->handler);
  EXPECT_TRUE(post->async_handler);
  EXPECT_TRUE(matched("GET", "/healthz")->handler);
}

TEST_F(RouterTest, ExtractsParameters) {
  PathParams params;
  const Route* route = matched("GET", "/v1/users/abc-123", &params);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->pattern, "/v1/users/{id}");
  ASSERT_EQ(params.values.size(), 1u);
  EXPECT_EQ(params.values[0].first, "id");
  EXPECT_EQ(params.get("id"), "abc-123");
  EXPECT_EQ(params.get("other"), "");
}

TEST_F(RouterTest, ParameterInTheMiddle) {
  PathParams params;
  const Route* route = matched("GET", "/v1/users/u1/orders", &params);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->pattern, "/v1/users/{id}/orders");
  EXPECT_EQ(params.get("id"), "u1");
}

TEST_F(RouterTest, SeveralParameters) {
  router.add("GET", "/a/{x}/b/{y}", answer(200));
  PathParams params;
  ASSERT_NE(matched("GET", "/a/1/b/two", &params), nullptr);
  ASSERT_EQ(params.values.size(), 2u);
  EXPECT_EQ(params.get("x"), "1");
  EXPECT_EQ(params.get("y"), "two");
}

TEST_F(RouterTest, ParameterValueIsPassedRaw) {
  PathParams params;
  ASSERT_NE(matched("GET", "/v1/users/a%20b", &params), nullptr);
  EXPECT_EQ(params.get("id"), "a%20b");
}

TEST_F(RouterTest, HandlerIsTheRegisteredOne) {
  const Route* route = matched("GET", "/v1/users/x/orders");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->handler(Request{}, PathParams{}).status, 203);
}

TEST_F(RouterTest, AsyncHandlerIsTheRegisteredOne) {
  PathParams params;
  const Route* route = matched("DELETE", "/v1/users/u7", &params);
  ASSERT_NE(route, nullptr);
  ASSERT_TRUE(route->async_handler);
  EXPECT_EQ(params.get("id"), "u7");
  int calls = 0;
  int status = 0;
  route->async_handler(Request{}, params, [&](Response r) {
    ++calls;
    status = r.status;
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(status, 204);
}

TEST_F(RouterTest, UnknownPathsAreNotFound) {
  for (const char* path : {"/", "", "/v1", "/v1/nope", "/v1/users/x/orders/y", "/v1/users/", "/v1//users", "v1/users",
                           "/V1/USERS", "/v1/users/x/", "//v1/users", "/v1/users//orders"}) {
    EXPECT_TRUE(not_found("GET", path)) << '"' << path << '"';
  }
}

TEST_F(RouterTest, WrongMethodIsMethodNotAllowedWithAllow) {
  EXPECT_EQ(allow("PUT", "/v1/users"), "GET, HEAD, POST");
  EXPECT_EQ(allow("DELETE", "/v1/users"), "GET, HEAD, POST");
  EXPECT_EQ(allow("PATCH", "/v1/users/x"), "GET, HEAD, DELETE");
  EXPECT_EQ(allow("POST", "/v1/users/x/orders"), "GET, HEAD");
}

// RFC 9110 §9.3.2: HEAD is supported wherever GET is, by the GET route (the server drops the body).
TEST_F(RouterTest, HeadRunsTheGetRoute) {
  Router own;
  own.add("GET", "/v1/orders/{id}", answer(200));
  own.add("DELETE", "/v1/orders/{id}", answer(204));
  const auto result = own.match("HEAD", "/v1/orders/abc");
  const auto* match = std::get_if<RouteMatch>(&result);
  ASSERT_NE(match, nullptr);
  EXPECT_EQ(match->route->method, "GET");
  EXPECT_EQ(match->params.get("id"), "abc");
  EXPECT_TRUE(std::holds_alternative<MethodNotAllowed>(own.match("HEAD", "/v1/nothing-but-delete")) ||
              std::holds_alternative<NotFound>(own.match("HEAD", "/v1/nothing-but-delete")));
}

TEST_F(RouterTest, HeadIsNotAllowedWhereGetIsNot) {
  Router own;
  own.add("POST", "/v1/jobs", answer(201));
  const auto result = own.match("HEAD", "/v1/jobs");
  const auto* refused = std::get_if<MethodNotAllowed>(&result);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->allow, "POST");
}

TEST_F(RouterTest, MethodsAreCaseSensitive) { EXPECT_EQ(allow("get", "/v1/users"), "GET, HEAD, POST"); }

TEST(Router, AllowListsEveryMethodOnce) {
  Router router;
  const std::vector<std::string> methods = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  for (const auto& m : methods) router.add(m, "/r/{id}", answer(200));
  router.add("GET", "/r/{other}", answer(200));  // a second GET template fitting the same path
  auto result = router.match("TRACE", "/r/1");
  auto* not_allowed = std::get_if<MethodNotAllowed>(&result);
  ASSERT_NE(not_allowed, nullptr);
  EXPECT_EQ(not_allowed->allow, "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
}

TEST(Router, FirstRegisteredRouteWins) {
  Router router;
  router.add("GET", "/v1/users/me", answer(200));
  router.add("GET", "/v1/users/{id}", answer(201));
  auto result = router.match("GET", "/v1/users/me");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(result));
  EXPECT_EQ(std::get<RouteMatch>(result).route->pattern, "/v1/users/me");
  EXPECT_TRUE(std::get<RouteMatch>(result).params.values.empty());
  result = router.match("GET", "/v1/users/other");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(result));
  EXPECT_EQ(std::get<RouteMatch>(result).params.get("id"), "other");
}

TEST(Router, ParamsAreFromTheMatchingRouteOnly) {
  Router router;
  router.add("DELETE", "/x/{a}", answer(200));
  router.add("GET", "/x/{b}", answer(200));
  auto result = router.match("GET", "/x/1");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(result));
  const auto& params = std::get<RouteMatch>(result).params;
  ASSERT_EQ(params.values.size(), 1u);
  EXPECT_EQ(params.values[0].first, "b");
}

TEST(Router, PatternMustStartWithSlash) {
  Router router;
  EXPECT_THROW(router.add("GET", "v1/users", answer(200)), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "", answer(200)), std::invalid_argument);
  EXPECT_THROW(router.add_async("POST", "v1/users", answer_async(201)), std::invalid_argument);
  EXPECT_TRUE(router.routes().empty());
}

TEST(Router, EmptyRouterFindsNothing) {
  Router router;
  EXPECT_TRUE(std::holds_alternative<NotFound>(router.match("GET", "/anything")));
}

}  // namespace
}  // namespace ninja::http
