// UserService and OrderService over the in-memory FakeStore: validation before any write, the
// stored entity, its event, and how store statuses become domain errors — delivered through the
// completion callbacks, also when the store answers later or on another thread.
#include "services_fixture.hpp"

namespace ninja::domain {
namespace {

using fakes::FakeStore;
using ::testing::ElementsAre;

TEST_F(ServicesTest, CreateUserTrimsNameAndStoresEvent) {
  CreateUser c;
  c.name = "  Ada  ";
  c.email = "ada@example.com";
  const auto result = create(c);
  ASSERT_EQ(store.users.count(result.id), 1u);
  EXPECT_EQ(store.users[result.id].name, "Ada");
  EXPECT_EQ(store.users[result.id].created_at_ms, now);
  EXPECT_FALSE(store.users[result.id].webhook_secret.has_value());
  EXPECT_FALSE(result.replayed);
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
  const auto result = create(c);
  EXPECT_EQ(boost::json::parse(result.body).as_object().at("webhook_secret"), "whsec_dGVzdA==");
  EXPECT_EQ(store.users[result.id].webhook_secret, "whsec_dGVzdA==");
  ASSERT_EQ(store.events.size(), 1u);
  EXPECT_EQ(store.events[0].payload.find("whsec_"), std::string::npos);
}

TEST_F(ServicesTest, InvalidUserIsThrownAndWritesNothing) {
  CreateUser c;
  c.email = "bad";
  Captured out;
  try {
    users.create(c, std::nullopt, out.done());
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_THAT(fields_of(e), ElementsAre("name", "email"));
  }
  EXPECT_EQ(out.calls, 0);  // thrown, not delivered
  EXPECT_EQ(store.creates, 0);
}

TEST_F(ServicesTest, InvalidOrderIsThrownAndWritesNothing) {
  CreateOrder c;
  c.user_id = "u";
  Captured out;
  try {
    orders.create(c, IdempotencyContext{"", "k", "fp"}, out.done());
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_FALSE(e.errors().empty());
  }
  EXPECT_EQ(out.calls, 0);
  EXPECT_EQ(store.creates, 0);
  EXPECT_TRUE(store.idempotency.empty());
}

TEST_F(ServicesTest, EmailTakenBecomesDomainError) {
  store.next_status = CreateStatus::email_taken;
  Captured out;
  EXPECT_NO_THROW(users.create(ada(), std::nullopt, out.done()));  // delivered through done
  EXPECT_THROW(out.get(), EmailTaken);
  EXPECT_TRUE(store.events.empty());
}

TEST_F(ServicesTest, CreateOrderComputesTotal) {
  CreateOrder c;
  c.user_id = "0190f2a4-1b2c-7d3e-8f40-123456789abc";
  c.items = {{"A", 3, 250}, {"B", 1, 1000}};
  const auto result = create(c);
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
  store.next_status = CreateStatus::user_missing;
  Captured out;
  EXPECT_NO_THROW(orders.create(an_order(), std::nullopt, out.done()));  // delivered through done
  try {
    out.get();
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_THAT(fields_of(e), ElementsAre("user_id"));
  }
}

TEST_F(ServicesTest, GetAndRemoveUnknownIdsAreNotFound) {
  EXPECT_THROW(get_user("0190f2a4-1b2c-7d3e-8f40-123456789abc"), NotFound);
  EXPECT_THROW(remove_user("0190f2a4-1b2c-7d3e-8f40-123456789abc"), NotFound);  // delivered through done
  EXPECT_THROW(get_order("x"), NotFound);
  EXPECT_THROW(remove_order("x"), NotFound);
  EXPECT_TRUE(store.events.empty());
}

TEST_F(ServicesTest, RemoveOrderRecordsDeletedEvent) {
  const auto id = create(an_order()).id;
  EXPECT_EQ(get_order(id).id, id);
  remove_order(id);
  EXPECT_THROW(get_order(id), NotFound);
  ASSERT_EQ(store.events.size(), 2u);
  EXPECT_EQ(store.events[1].type, "ninja.order.deleted");
  EXPECT_EQ(store.events[1].subject, id);
}

TEST_F(ServicesTest, RemoveUserRecordsDeletedEvent) {
  const auto id = create(ada()).id;
  remove_user(id);
  EXPECT_THROW(get_user(id), NotFound);
  ASSERT_EQ(store.events.size(), 2u);
  EXPECT_EQ(store.events[1].type, "ninja.user.deleted");
  EXPECT_EQ(store.events[1].subject, id);
}

TEST_F(ServicesTest, IdempotentOrderCreateReplaysSameBody) {
  CreateOrder c;
  c.user_id = "u";
  c.items = {{"A", 1, 1}};
  const IdempotencyContext key{"", "k", "fp"};
  const auto first = create(c, key);
  const auto second = create(c, key);
  EXPECT_FALSE(first.replayed);
  EXPECT_TRUE(second.replayed);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(store.orders.size(), 1u);
  EXPECT_EQ(store.events.size(), 1u);
}

TEST_F(ServicesTest, IdempotentUserCreateReplaysSameBody) {
  const IdempotencyContext key{"", "k", "fp"};
  const auto first = create(ada(), key);
  const auto second = create(ada(), key);
  EXPECT_TRUE(second.replayed);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(store.users.size(), 1u);
  // The replay reaches the store, whose transaction answers with the record and writes nothing.
  EXPECT_EQ(store.creates, 2);
  EXPECT_EQ(store.events.size(), 1u);
}

}  // namespace
}  // namespace ninja::domain
