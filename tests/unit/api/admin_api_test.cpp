// The admin routes on stores that answer later (as real ones do): a handler returns holding no
// thread and the response follows the store's completion; the stores' answers and errors map to
// the contract's statuses.
#include "api/admin_api.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <optional>

#include "../domain/fake_store.hpp"
#include "api/error_mapping.hpp"
#include "domain/errors.hpp"
#include "util/crypto.hpp"

namespace ninja::api {
namespace {

namespace json = boost::json;

// Keeps each completion until the test answers it.
class DeferredDeliveries final : public notify::DeliveryStore {
 public:
  void add_deliveries(std::vector<domain::Delivery>, util::Lease, util::Completion<std::vector<bool>>) override {}
  void claim_due(size_t, util::Lease, util::Completion<std::vector<domain::Delivery>>) override {}
  void record_attempt(domain::Delivery, util::Done) override {}
  void deliveries_for_order(std::string, util::Completion<std::vector<domain::Delivery>>) override {}
  void next_due_ms(util::Completion<std::optional<int64_t>>) override {}
  void dead_deliveries(size_t limit, util::Completion<std::vector<domain::Delivery>> done) override {
    asked_limit = limit;
    listed = std::move(done);
  }
  void requeue_dead(std::optional<std::string> event_id, int64_t now_ms, util::Completion<size_t> done) override {
    asked_event = std::move(event_id);
    asked_now = now_ms;
    requeued = std::move(done);
  }
  size_t asked_limit = 0;
  std::optional<std::string> asked_event;
  int64_t asked_now = 0;
  util::Completion<std::vector<domain::Delivery>> listed;
  util::Completion<size_t> requeued;
};

class DeferredApiKeys final : public domain::ApiKeyStore {
 public:
  void add_api_key(domain::ApiKey key, util::Done done) override {
    added = std::move(key);
    add_done = std::move(done);
  }
  void list_api_keys(util::Completion<std::vector<domain::ApiKey>> done) override { listed = std::move(done); }
  void revoke_api_key(std::string id, int64_t, util::Completion<bool> done) override {
    revoked_id = std::move(id);
    revoked = std::move(done);
  }
  std::optional<domain::ApiKey> added;
  util::Done add_done;
  util::Completion<std::vector<domain::ApiKey>> listed;
  std::string revoked_id;
  util::Completion<bool> revoked;
};

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() {
    add_admin_routes(router, {deliveries, keys, store, [] { return int64_t{1'764'000'000'000}; },
                              [](size_t n) { return std::string(n, '\x07'); }});
  }

  // Starts the request; the response, once some completion gives it, lands in `response`.
  void start(const std::string& method, const std::string& path, std::string body = "",
             std::vector<std::pair<std::string, std::string>> query = {}) {
    auto result = router.match(method, path);
    auto* match = std::get_if<http::RouteMatch>(&result);
    ASSERT_NE(match, nullptr) << method << " " << path;
    request.method = method;
    request.path = path;
    request.query = std::move(query);
    request.body = std::move(body);
    request.headers = {{"content-type", "application/json"}};
    response.reset();
    try {
      match->route->async_handler(request, match->params, [this](http::Response r) { response = std::move(r); });
    } catch (...) {
      response = map_exception(std::current_exception());  // what the pipeline does with a throw
    }
  }

  static std::string type_of(const http::Response& r) {
    return std::string(json::parse(r.body).at("type").as_string());
  }

  http::Router router;
  http::Request request;
  std::optional<http::Response> response;
  DeferredDeliveries deliveries;
  DeferredApiKeys keys;
  fakes::FakeStore store;
};

TEST_F(AdminApiTest, DeadLettersWaitForTheStoreHoldingNoThread) {
  start("GET", "/admin/v1/dead-letters", "", {{"limit", "7"}});
  EXPECT_FALSE(response.has_value());  // the handler returned; the request waits on the store
  EXPECT_EQ(deliveries.asked_limit, 7U);
  domain::Delivery dead;
  dead.event_id = "e1";
  dead.order_id = "o1";
  dead.user_id = "u1";
  dead.channel = "webhook";
  dead.status = domain::DeliveryStatus::dead;
  dead.attempts = 10;
  deliveries.listed({dead}, nullptr);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  const auto item = json::parse(response->body).at("items").at(0).as_object();
  EXPECT_EQ(item.at("order_id").as_string(), "o1");
  EXPECT_EQ(item.at("status").as_string(), "dead");
}

TEST_F(AdminApiTest, TheDefaultLimitIs100AndABadOneNeverReachesTheStore) {
  start("GET", "/admin/v1/dead-letters");
  EXPECT_EQ(deliveries.asked_limit, 100U);
  deliveries.asked_limit = 0;
  start("GET", "/admin/v1/dead-letters", "", {{"limit", "501"}});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(deliveries.asked_limit, 0U);
}

TEST_F(AdminApiTest, ReplayingOneIs404WhenNothingWasRequeuedAndCanonicalisesTheId) {
  start("POST", "/admin/v1/dead-letters/0190E0A0-0000-7000-8000-00000000000A/replay");
  EXPECT_EQ(deliveries.asked_event, "0190e0a0-0000-7000-8000-00000000000a");
  EXPECT_EQ(deliveries.asked_now, 1'764'000'000'000);
  deliveries.requeued(0, nullptr);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
  start("POST", "/admin/v1/dead-letters/0190e0a0-0000-7000-8000-00000000000a/replay");
  deliveries.requeued(1, nullptr);
  EXPECT_EQ(response->body, R"({"requeued":1})");
}

TEST_F(AdminApiTest, ReplayingAllAsksForEveryEventAndAStoreFailureIs503) {
  start("POST", "/admin/v1/dead-letters/replay");
  EXPECT_FALSE(deliveries.asked_event.has_value());
  deliveries.requeued(0, std::make_exception_ptr(domain::Unavailable("postgres: connection lost")));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body.find("postgres"), std::string::npos);  // the cause is logged, not sent
}

TEST_F(AdminApiTest, CreatingAKeyStoresOnlyItsHashAndShowsTheKeyOnce) {
  start("POST", "/admin/v1/api-keys", R"({"name":"ci","rate":2.5,"burst":5})");
  ASSERT_TRUE(keys.added.has_value());
  EXPECT_FALSE(response.has_value());
  keys.add_done(nullptr);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 201);
  const auto shown = json::parse(response->body).as_object();
  const std::string secret(shown.at("key").as_string());
  EXPECT_EQ(keys.added->hash, util::sha256_hex(secret));
  EXPECT_EQ(shown.at("id").as_string(), keys.added->id);
  EXPECT_EQ(keys.added->rate, 2.5);
  EXPECT_EQ(keys.added->created_at_ms, 1'764'000'000'000);
}

TEST_F(AdminApiTest, ABadKeyBodyNeverReachesTheStore) {
  start("POST", "/admin/v1/api-keys", R"({"name":"","rate":0})");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 422);
  start("POST", "/admin/v1/api-keys", "{");
  EXPECT_EQ(response->status, 400);
  EXPECT_FALSE(keys.added.has_value());
}

TEST_F(AdminApiTest, RevokingAnUnknownKeyIs404AndAKnownOne204) {
  start("DELETE", "/admin/v1/api-keys/00000000000000zz");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
  EXPECT_TRUE(keys.revoked_id.empty());  // not shaped like an id: no store call
  start("DELETE", "/admin/v1/api-keys/0123456789abcdef");
  EXPECT_EQ(keys.revoked_id, "0123456789abcdef");
  keys.revoked(false, nullptr);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(type_of(*response), "/problems/not-found");
  start("DELETE", "/admin/v1/api-keys/0123456789abcdef");
  keys.revoked(true, nullptr);
  EXPECT_EQ(response->status, 204);
  EXPECT_TRUE(response->body.empty());
}

TEST_F(AdminApiTest, UsersByEmailNeedAnEmailAndHideTheWebhookSecret) {
  domain::User user;
  user.id = "u1";
  user.name = "Ann";
  user.email = "Ann@Example.com";
  user.webhook_secret = "whsec_x";
  store.users[user.id] = user;
  start("GET", "/admin/v1/users", "", {{"email", "ann@example.COM"}});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  const auto items = json::parse(response->body).at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("id").as_string(), "u1");
  EXPECT_FALSE(items[0].as_object().contains("webhook_secret"));
  start("GET", "/admin/v1/users", "", {{"email", "nobody@example.com"}});
  EXPECT_EQ(response->body, R"({"items":[]})");
  start("GET", "/admin/v1/users");
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(type_of(*response), "/problems/bad-query");
}

}  // namespace
}  // namespace ninja::api
