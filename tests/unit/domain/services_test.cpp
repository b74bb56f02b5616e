// UserService and OrderService over the in-memory FakeStore: validation before any write, the
// stored entity, its event, and how store statuses become domain errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "domain/errors.hpp"
#include "domain/order_service.hpp"
#include "domain/user_service.hpp"
#include "fake_store.hpp"

namespace ninja::domain {
namespace {

using fakes::FakeStore;
using ::testing::ElementsAre;

class ServicesTest : public ::testing::Test {
 protected:
  FakeStore store;
  int64_t now = 1795498020123;
  util::UuidV7Generator ids{[this] { return now; }};
  InFlightKeys in_flight;
  IdempotentCreate creates{store, [this] { return now; }, in_flight, 1000};
  UserService users{store, ids, creates, [] { return std::string("whsec_dGVzdA=="); }};
  OrderService orders{store, ids, creates};

  static std::vector<std::string> fields_of(const ValidationError& e) {
    std::vector<std::string> out;
    for (const auto& f : e.errors()) out.push_back(f.field);
    return out;
  }
};

TEST_F(ServicesTest, CreateUserTrimsNameAndStoresEvent) {
  CreateUser c;
  c.name = "  Ada  ";
  c.email = "ada@example.com";
  const auto result = users.create(c, std::nullopt);
  ASSERT_EQ(store.users.count(result.id), 1u);
  EXPECT_EQ(store.users[result.id].name, "Ada");
  EXPECT_EQ(store.users[result.id].created_at_ms, now);
  EXPECT_FALSE(store.users[result.id].webhook_secret.has_value());
  const auto body = boost::json::parse(result.body).as_object();
  EXPECT_EQ(body.at("name"), "Ada");
  EXPECT_EQ(std::string(body.at("id").as_string()), result.id);
  EXPECT_FALSE(body.contains("webhook_secret"));
  ASSERT_EQ(store.events.size(), 1u);
  EXPECT_EQ(store.events[0].type, "ninja.user.created");
  EXPECT_EQ(store.events[0].subject, result.id);
  EXPECT_NE(store.events[0].id, result.id);
}

TEST_F(ServicesTest, WebhookUserGetsSecretIn201ButNotInEvent) {
  CreateUser c;
  c.name = "Hook";
  c.email = "hook@example.com";
  c.notify_channel = NotifyChannel::webhook;
  c.webhook_url = "https://hooks.example.com/x";
  const auto result = users.create(c, std::nullopt);
  EXPECT_EQ(boost::json::parse(result.body).as_object().at("webhook_secret"), "whsec_dGVzdA==");
  EXPECT_EQ(store.users[result.id].webhook_secret, "whsec_dGVzdA==");
  ASSERT_EQ(store.events.size(), 1u);
  EXPECT_EQ(store.events[0].payload.find("whsec_"), std::string::npos);
}

TEST_F(ServicesTest, InvalidUserWritesNothing) {
  CreateUser c;
  c.email = "bad";
  try {
    users.create(c, std::nullopt);
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_THAT(fields_of(e), ElementsAre("name", "email"));
  }
  EXPECT_EQ(store.creates, 0);
}

TEST_F(ServicesTest, EmailTakenBecomesDomainError) {
  CreateUser c;
  c.name = "Ada";
  c.email = "ada@example.com";
  store.next_status = storage::CreateStatus::email_taken;
  EXPECT_THROW(users.create(c, std::nullopt), EmailTaken);
}

TEST_F(ServicesTest, CreateOrderComputesTotal) {
  CreateOrder c;
  c.user_id = "0190f2a4-1b2c-7d3e-8f40-123456789abc";
  c.items = {{"A", 3, 250}, {"B", 1, 1000}};
  const auto result = orders.create(c, std::nullopt);
  ASSERT_EQ(store.orders.count(result.id), 1u);
  EXPECT_EQ(store.orders[result.id].total, 1750);
  const auto body = boost::json::parse(result.body).as_object();
  EXPECT_EQ(body.at("total").as_int64(), 1750);
  EXPECT_EQ(body.at("currency"), "USD");
  EXPECT_EQ(body.at("status"), "created");
  ASSERT_EQ(store.events.size(), 1u);
  EXPECT_EQ(store.events[0].type, "ninja.order.created");
  // The event's data is the order as GET returns it.
  const auto event = boost::json::parse(store.events[0].payload).as_object();
  EXPECT_EQ(event.at("data"), boost::json::parse(result.body));
}

TEST_F(ServicesTest, UnknownUserIsValidationErrorOnUserId) {
  CreateOrder c;
  c.user_id = "0190f2a4-1b2c-7d3e-8f40-123456789abc";
  c.items = {{"A", 1, 1}};
  store.next_status = storage::CreateStatus::user_missing;
  try {
    orders.create(c, std::nullopt);
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_THAT(fields_of(e), ElementsAre("user_id"));
  }
}

TEST_F(ServicesTest, GetAndRemoveUnknownIdsAreNotFound) {
  EXPECT_THROW(users.get("0190f2a4-1b2c-7d3e-8f40-123456789abc"), NotFound);
  EXPECT_THROW(users.remove("0190f2a4-1b2c-7d3e-8f40-123456789abc"), NotFound);
  EXPECT_THROW(orders.get("x"), NotFound);
  EXPECT_THROW(orders.remove("x"), NotFound);
  EXPECT_TRUE(store.events.empty());
}

TEST_F(ServicesTest, RemoveOrderRecordsDeletedEvent) {
  CreateOrder c;
  c.user_id = "u";
  c.items = {{"A", 1, 1}};
  const auto id = orders.create(c, std::nullopt).id;
  EXPECT_EQ(orders.get(id).id, id);
  orders.remove(id);
  EXPECT_THROW(orders.get(id), NotFound);
  ASSERT_EQ(store.events.size(), 2u);
  EXPECT_EQ(store.events[1].type, "ninja.order.deleted");
  EXPECT_EQ(store.events[1].subject, id);
}

TEST_F(ServicesTest, IdempotentOrderCreateReplaysSameBody) {
  CreateOrder c;
  c.user_id = "u";
  c.items = {{"A", 1, 1}};
  const IdempotencyContext key{"", "k", "fp"};
  const auto first = orders.create(c, key);
  const auto second = orders.create(c, key);
  EXPECT_TRUE(second.replayed);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(store.orders.size(), 1u);
}

}  // namespace
}  // namespace ninja::domain
