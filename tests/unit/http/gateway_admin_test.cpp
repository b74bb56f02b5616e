// The gateway with an admin API: /admin/v1 asks AdminAccess, the admin key passes on /v1 and is
// never throttled by a per-client bucket (the global one still applies).
#include <gtest/gtest.h>

#include "http/gateway.hpp"
#include "support/nanoseconds.hpp"

namespace ninja::http {
namespace {

using test::kSecond;

const std::string kAdminKey = "admin-key-admin-key-admin-key-admin-key";

class GatewayAdminTest : public ::testing::Test {
 protected:
  util::MetricsRegistry metrics;
  int64_t now = 100 * kSecond;

  Gateway make(bool require_key, RateLimits limits, std::optional<AdminAccessOptions> admin) {
    GatewayOptions options{require_key, limits, std::nullopt};
    if (admin) options.admin.emplace(*admin);
    return Gateway(
        options,
        [](std::string_view key) -> std::optional<Caller> {
          if (key == "good") return Caller{"id-good", std::nullopt};
          return std::nullopt;
        },
        [this] { return now; }, metrics);
  }

  static Request request(std::string path, std::string key = "") {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    r.remote_address = "127.0.0.1";
    if (!key.empty()) r.headers.push_back({"x-api-key", std::move(key)});
    return r;
  }

  int status_of(Gateway& gateway, std::string path, std::string key = "") {
    auto r = request(std::move(path), std::move(key));
    const auto refused = gateway.admit(r);
    return refused ? refused->status : 0;  // 0: let through
  }
};

TEST_F(GatewayAdminTest, AConfiguredKeyGuardsTheAdminApi) {
  auto gateway = make(false, {}, AdminAccessOptions{kAdminKey, false, true});
  EXPECT_EQ(status_of(gateway, "/admin/v1/api-keys"), 401);
  EXPECT_EQ(status_of(gateway, "/admin/v1/api-keys", "good"), 401);  // an API key is no admin key
  EXPECT_EQ(status_of(gateway, "/admin/v1/api-keys", "wrong"), 401);
  auto admitted = request("/admin/v1/api-keys", kAdminKey);
  EXPECT_FALSE(gateway.admit(admitted).has_value());
  EXPECT_EQ(admitted.client_id, kAdminClientId);
  const auto text = metrics.render();
  EXPECT_NE(text.find("gateway_rejected_total{reason=\"admin_key_required\"} 3"), std::string::npos) << text;
}

TEST_F(GatewayAdminTest, WithoutAKeyTheAdminApiIsOpenOnlyOnLoopbackWithoutAuth) {
  auto open = make(false, {}, AdminAccessOptions{std::nullopt, false, true});
  EXPECT_EQ(status_of(open, "/admin/v1/dead-letters"), 0);
  auto exposed = make(false, {}, AdminAccessOptions{std::nullopt, false, false});
  EXPECT_EQ(status_of(exposed, "/admin/v1/dead-letters"), 403);
  auto with_auth = make(true, {}, AdminAccessOptions{std::nullopt, true, true});
  EXPECT_EQ(status_of(with_auth, "/admin/v1/dead-letters"), 403);
  EXPECT_EQ(status_of(with_auth, "/admin/v1/dead-letters", "good"), 403);
}

TEST_F(GatewayAdminTest, TheAdminKeyPassesOnV1WhenKeysAreRequired) {
  auto gateway = make(true, {}, AdminAccessOptions{kAdminKey, true, false});
  auto r = request("/v1/users", kAdminKey);
  EXPECT_FALSE(gateway.admit(r).has_value());
  EXPECT_EQ(r.client_id, kAdminClientId);
  EXPECT_EQ(status_of(gateway, "/v1/users", "good"), 0);
  EXPECT_EQ(status_of(gateway, "/v1/users", kAdminKey + "x"), 401);
  EXPECT_EQ(status_of(gateway, "/v1/users"), 401);
}

TEST_F(GatewayAdminTest, WithoutAnAdminApiTheAdminPathsAreTheRoutersBusiness) {
  auto gateway = make(true, {}, std::nullopt);  // lambda: no /admin routes, the router answers 404
  EXPECT_EQ(status_of(gateway, "/admin/v1/dead-letters"), 0);
  EXPECT_EQ(status_of(gateway, "/v1/users", kAdminKey), 401);
}

TEST_F(GatewayAdminTest, TheAdminHasNoPerClientBucketButTheGlobalOneApplies) {
  auto per_client = make(true, {0, 0, 1, 1}, AdminAccessOptions{kAdminKey, true, false});
  EXPECT_EQ(status_of(per_client, "/v1/users", "good"), 0);
  EXPECT_EQ(status_of(per_client, "/v1/users", "good"), 429);  // an ordinary key: one per second
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(status_of(per_client, "/v1/users", kAdminKey), 0) << i;
    EXPECT_EQ(status_of(per_client, "/admin/v1/api-keys", kAdminKey), 0) << i;
  }
  auto global = make(true, {2, 2, 0, 0}, AdminAccessOptions{kAdminKey, true, false});
  EXPECT_EQ(status_of(global, "/v1/users", kAdminKey), 0);
  EXPECT_EQ(status_of(global, "/admin/v1/api-keys", kAdminKey), 0);
  EXPECT_EQ(status_of(global, "/v1/users", kAdminKey), 429);
}

}  // namespace
}  // namespace ninja::http
