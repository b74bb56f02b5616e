#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

#include "../domain/fake_store.hpp"
#include "api/ops_api.hpp"
#include "api/resource_api.hpp"

namespace ninja::api {
namespace {

class OpsApiTest : public ::testing::Test {
 protected:
  OpsApiTest() { add_ops_routes(router, &metrics, store, draining); }

  http::Response get(std::string_view path) {
    auto result = router.match("GET", path);
    auto* match = std::get_if<http::RouteMatch>(&result);
    if (!match) {
      ADD_FAILURE() << "no GET route for " << path;
      return http::Response::empty(0);
    }
    if (match->route->handler) return match->route->handler(http::Request{}, match->params);
    // The fake store answers at once, so the asynchronous handler has responded when it returns.
    std::optional<http::Response> response;
    match->route->async_handler(http::Request{}, match->params, [&](http::Response r) { response = std::move(r); });
    if (!response) {
      ADD_FAILURE() << path << " did not respond";
      return http::Response::empty(0);
    }
    return std::move(*response);
  }

  http::Router router;
  util::MetricsRegistry metrics;
  fakes::FakeStore store;
  std::atomic<bool> draining{false};
};

TEST_F(OpsApiTest, HealthzIsAlways200) {
  draining = true;
  store.is_ready = false;
  const auto r = get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(boost::json::parse(r.body).at("status").as_string(), "ok");
}

TEST_F(OpsApiTest, ReadyzFollowsStoreAndDraining) {
  EXPECT_EQ(get("/readyz").status, 200);
  store.is_ready = false;
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(boost::json::parse(r.body).at("type").as_string(), "/problems/not-ready");
  store.is_ready = true;
  store.ready_error = std::make_exception_ptr(std::runtime_error("connection refused"));
  EXPECT_EQ(get("/readyz").status, 503);  // a store that fails to answer is not ready either
  store.ready_error = nullptr;
  draining = true;
  EXPECT_EQ(get("/readyz").status, 503);
}

TEST_F(OpsApiTest, MetricsIsPrometheusText) {
  metrics.counter("probe_total", "Probe.", {}).inc({}, 3);
  const auto r = get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u) << r.content_type;
  EXPECT_NE(r.body.find("\nprobe_total 3\n"), std::string::npos) << r.body;
}

TEST_F(OpsApiTest, OnlyReadinessAsksTheStore) {
  // Everything on the I/O thread must answer from memory; readiness asks the store without
  // blocking, so it is the one asynchronous route.
  for (const char* path : {"/healthz", "/openapi.json", "/metrics"}) {
    auto result = router.match("GET", path);
    ASSERT_TRUE(std::holds_alternative<http::RouteMatch>(result)) << path;
    EXPECT_TRUE(std::get<http::RouteMatch>(result).route->handler) << path;
  }
  auto ready = router.match("GET", "/readyz");
  ASSERT_TRUE(std::holds_alternative<http::RouteMatch>(ready));
  EXPECT_TRUE(std::get<http::RouteMatch>(ready).route->async_handler);
}

TEST_F(OpsApiTest, OpenApiIsAnOpenApi3Document) {
  const auto r = get("/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  const auto doc = boost::json::parse(r.body).as_object();
  EXPECT_EQ(doc.at("openapi").as_string().subview().substr(0, 2), "3.");
  EXPECT_TRUE(doc.contains("info"));
  EXPECT_EQ(r.body, openapi_document());
}

TEST_F(OpsApiTest, OpenApiDescribesEveryRoute) {
  util::UuidV7Generator ids([] { return int64_t{1}; });
  domain::InFlightKeys in_flight;
  domain::IdempotentCreate creates([] { return int64_t{1}; }, in_flight, 1000);
  domain::UserService users(store, ids, creates, [] { return std::string("whsec_x"); });
  domain::OrderService orders(store, ids, creates);
  add_user_routes(router, users, orders);
  add_order_routes(router, orders);

  const auto paths = boost::json::parse(openapi_document()).at("paths").as_object();
  ASSERT_GE(router.routes().size(), 12u);
  for (const auto& route : router.routes()) {
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto* path = paths.if_contains(route.pattern);
    ASSERT_NE(path, nullptr) << route.pattern << " is not in openapi.json";
    EXPECT_TRUE(path->as_object().contains(method)) << route.method << " " << route.pattern;
  }
}

}  // namespace
}  // namespace ninja::api

namespace ninja::api {
namespace {

TEST(OpsApiWithoutMetrics, ServesNoMetricsRouteButTheOthers) {
  http::Router router;
  fakes::FakeStore store;
  std::atomic<bool> draining{false};
  add_ops_routes(router, nullptr, store, draining);
  EXPECT_TRUE(std::holds_alternative<http::NotFound>(router.match("GET", "/metrics")));
  EXPECT_TRUE(std::holds_alternative<http::RouteMatch>(router.match("GET", "/healthz")));
  EXPECT_TRUE(std::holds_alternative<http::RouteMatch>(router.match("GET", "/openapi.json")));
}

}  // namespace
}  // namespace ninja::api
