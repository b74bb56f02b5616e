// Store contract: readiness and persistence (a reconnected store sees everything committed before).
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StoreLifecycle : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreLifecycle, StoreBackends, BackendName);

TYPED_TEST(StoreLifecycle, FreshStoreIsReady) {
  EXPECT_TRUE(this->store().ready());
  this->add_user();
  EXPECT_TRUE(this->store().ready());
}

TYPED_TEST(StoreLifecycle, ReopenedStoreIsReadyAndEmptyStaysEmpty) {
  this->reopen();
  EXPECT_TRUE(this->store().ready());
  EXPECT_TRUE(this->store().list_users({10, std::nullopt}).items.empty());
  EXPECT_TRUE(this->outbox().empty());
}

TYPED_TEST(StoreLifecycle, EverythingCommittedSurvivesAReopen) {
  const int64_t t = this->now();
  const auto user = this->make_full_user();
  const auto user_record = this->make_record("scope", "user-key", user.id, t, t + kHourMs);
  this->add_user(user, &user_record);
  auto order = this->make_order(user.id);
  order.note = "persist me";
  const auto order_record = this->make_record("scope", "order-key", order.id, t, t + kHourMs);
  this->add_order(order, &order_record);
  const auto gone = this->add_user();
  ASSERT_TRUE(this->store().delete_user(gone.id, this->deleted_event(events::kUserDeleted, gone.id)));
  const auto events_before = this->outbox();
  ASSERT_EQ(events_before.size(), 4U);

  this->reopen();

  ASSERT_TRUE(this->store().ready());
  const auto found_user = this->store().find_user(user.id);
  ASSERT_TRUE(found_user.has_value());
  expect_same_user(user, *found_user);
  const auto found_order = this->store().find_order(order.id);
  ASSERT_TRUE(found_order.has_value());
  expect_same_order(order, *found_order);
  EXPECT_FALSE(this->store().find_user(gone.id).has_value());
  EXPECT_EQ(ids_of(this->store().list_users({10, std::nullopt}).items), std::vector<std::string>{user.id});
  EXPECT_EQ(ids_of(this->store().list_orders({10, std::nullopt}, user.id).items), std::vector<std::string>{order.id});

  const auto found_user_record = this->store().find_idempotency("scope", "user-key", t);
  ASSERT_TRUE(found_user_record.has_value());
  expect_same_record(user_record, *found_user_record);
  const auto found_order_record = this->store().find_idempotency("scope", "order-key", t);
  ASSERT_TRUE(found_order_record.has_value());
  expect_same_record(order_record, *found_order_record);
  expect_same_events(events_before, this->outbox());
}

TYPED_TEST(StoreLifecycle, ConstraintsStillHoldAfterAReopen) {
  const int64_t t = this->now();
  const auto user = this->make_user("Persistent@Example.com");
  const auto record = this->make_record("scope", "key", user.id, t, t + kHourMs);
  this->add_user(user, &record);

  this->reopen();

  const auto dup = this->make_user("persistent@example.com");
  EXPECT_EQ(this->store().create_user(dup, this->user_created_event(dup), nullptr), CreateStatus::email_taken);
  const auto retry = this->make_user();
  const auto retry_record = this->make_record("scope", "key", retry.id, t + 1, t + 1 + kHourMs);
  EXPECT_EQ(this->store().create_user(retry, this->user_created_event(retry), &retry_record),
            CreateStatus::idempotency_taken);

  // New writes after the reopen are appended after the old events and are newest in the lists.
  const auto fresh = this->make_user();
  const auto fresh_event = this->add_user(fresh);
  const auto outbox = this->outbox();
  ASSERT_EQ(outbox.size(), 2U);
  expect_same_event(fresh_event, outbox[1]);
  EXPECT_EQ(ids_of(this->store().list_users({10, std::nullopt}).items), (std::vector<std::string>{fresh.id, user.id}));
}

TYPED_TEST(StoreLifecycle, ReopeningTwiceKeepsData) {
  const auto user = this->add_user();
  this->reopen();
  this->reopen();
  const auto found = this->store().find_user(user.id);
  ASSERT_TRUE(found.has_value());
  expect_same_user(user, *found);
  EXPECT_EQ(this->outbox().size(), 1U);
}

}  // namespace
}  // namespace ninja::contract
