#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>

#include "../domain/fake_store.hpp"
#include "api/ops_api.hpp"
#include "api/resource_api.hpp"

namespace ninja::api {
namespace {

class OpsApiTest : public ::testing::Test {
 protected:
  OpsApiTest() { add_ops_routes(router, metrics, store, draining); }

  http::Response get(std::string_view path) {
    auto result = router.match("GET", path);
    auto* match = std::get_if<http::RouteMatch>(&result);
    if (!match) {
      ADD_FAILURE() << "no GET route for " << path;
      return http::Response::empty(0);
    }
    return match->route->handler(http::Request{}, match->params);
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

TEST_F(OpsApiTest, CheapEndpointsRunInline) {
  for (const char* path : {"/healthz", "/openapi.json"}) {
    auto result = router.match("GET", path);
    ASSERT_TRUE(std::holds_alternative<http::RouteMatch>(result)) << path;
    EXPECT_EQ(std::get<http::RouteMatch>(result).route->execution, http::Execution::inline_io) << path;
  }
  // Both read the store (readiness probe, outbox lag), which must not happen on an I/O thread.
  for (const char* path : {"/readyz", "/metrics"}) {
    auto result = router.match("GET", path);
    EXPECT_NE(std::get<http::RouteMatch>(result).route->execution, http::Execution::inline_io) << path;
  }
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
