#include "http/gateway.hpp"

#include <gtest/gtest.h>

#include "support/nanoseconds.hpp"

namespace ninja::http {
namespace {

using test::kSecond;

class GatewayTest : public ::testing::Test {
 protected:
  util::MetricsRegistry metrics;
  int64_t now = 100 * kSecond;

  Gateway make(GatewayOptions options) {
    return Gateway(
        options,
        [](std::string_view key) -> std::optional<Caller> {
          if (key == "good") return Caller{"id-good", std::nullopt};
          if (key == "planned") return Caller{"id-planned", UsagePlan{1, 2}};
          return std::nullopt;
        },
        [this] { return now; }, metrics);
  }

  static Request request(std::string path, std::string key = "", std::string remote = "10.0.0.1") {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    r.remote_address = std::move(remote);
    if (!key.empty()) r.headers.push_back({"x-api-key", std::move(key)});
    return r;
  }

  static std::string header(const Response& r, std::string_view name) {
    for (const auto& h : r.headers) {
      if (h.name == name) return h.value;
    }
    return "<absent>";
  }
};

TEST_F(GatewayTest, RequiresAKnownKeyOnV1AndNamesTheCaller) {
  auto gateway = make({true, {}, std::nullopt});
  auto anonymous = request("/v1/users");
  auto refused = gateway.admit(anonymous);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 401);
  EXPECT_NE(refused->body.find("/problems/unauthorized"), std::string::npos);
  auto bad = request("/v1/users", "bad");
  EXPECT_EQ(gateway.admit(bad)->status, 401);
  auto good = request("/v1/orders/x", "good");
  EXPECT_FALSE(gateway.admit(good).has_value());
  EXPECT_EQ(good.client_id, "id-good");
  const auto text = metrics.render();
  EXPECT_NE(text.find("gateway_rejected_total{reason=\"missing_key\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("gateway_rejected_total{reason=\"invalid_key\"} 1"), std::string::npos);
}

TEST_F(GatewayTest, OperationalPathsAndNonApiPathsNeedNoKey) {
  auto gateway = make({true, {1, 1, 0, 0}, std::nullopt});
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/openapi.json"}) {
    for (int i = 0; i < 3; ++i) {
      auto r = request(path);
      EXPECT_FALSE(gateway.admit(r).has_value()) << path;
    }
  }
  auto elsewhere = request("/v2/other");
  EXPECT_FALSE(gateway.admit(elsewhere).has_value());  // no key needed; the router answers 404
}

TEST_F(GatewayTest, ThrottlesWithRateLimitHeaders) {
  auto gateway = make({false, {0, 0, 2, 4}, std::nullopt});
  for (int i = 0; i < 4; ++i) {
    auto r = request("/v1/users");
    EXPECT_FALSE(gateway.admit(r).has_value()) << i;
  }
  auto r = request("/v1/users");
  const auto refused = gateway.admit(r);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(header(*refused, "Retry-After"), "1");  // 0.5 s rounded up
  EXPECT_EQ(header(*refused, "RateLimit-Limit"), "4");
  EXPECT_EQ(header(*refused, "RateLimit-Remaining"), "0");
  // Reset agrees with Retry-After: it is when a request passes again, not when the bucket is full.
  EXPECT_EQ(header(*refused, "RateLimit-Reset"), "1");
  // Another address has its own bucket; time refills this one.
  auto other = request("/v1/users", "", "10.0.0.2");
  EXPECT_FALSE(gateway.admit(other).has_value());
  now += kSecond / 2;
  auto later = request("/v1/users");
  EXPECT_FALSE(gateway.admit(later).has_value());
}

TEST_F(GatewayTest, AKeysUsagePlanAppliesPerKey) {
  auto gateway = make({true, {}, std::nullopt});
  for (int i = 0; i < 2; ++i) {
    auto r = request("/v1/users", "planned");
    EXPECT_FALSE(gateway.admit(r).has_value());
  }
  auto over = request("/v1/users", "planned", "10.9.9.9");  // the key is the client, not the address
  EXPECT_EQ(gateway.admit(over)->status, 429);
  auto unplanned = request("/v1/users", "good");
  EXPECT_FALSE(gateway.admit(unplanned).has_value());
}

}  // namespace
}  // namespace ninja::http
