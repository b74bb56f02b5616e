// Store contract: idempotency records. A record commits with its entity, is found until it expires,
// blocks a second create with the same scope+key (which then writes nothing), and can be purged.
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StoreIdempotency : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreIdempotency, StoreBackends, BackendName);

TYPED_TEST(StoreIdempotency, RecordCommitsWithTheUserAndIsFoundUntilItExpires) {
  const int64_t t = this->now();
  const auto user = this->make_user();
  auto record = this->make_record("api-key-1", "create-user-1", user.id, t, t + kHourMs);
  record.body = R"({"id":")" + user.id + R"(","name":"Zoë 🥷","webhook_secret":"whsec_abc"})";
  const auto event = this->add_user(user, &record);

  ASSERT_TRUE(this->store().find_user(user.id).has_value());
  expect_same_events({event}, this->outbox());
  for (const int64_t at : {t, t + 1, t + kHourMs - 1}) {
    SCOPED_TRACE(at - t);
    const auto found = this->store().find_idempotency("api-key-1", "create-user-1", at);
    ASSERT_TRUE(found.has_value());
    expect_same_record(record, *found);
  }
  EXPECT_FALSE(this->store().find_idempotency("api-key-1", "create-user-1", t + kHourMs).has_value());
  EXPECT_FALSE(this->store().find_idempotency("api-key-1", "create-user-1", t + 2 * kHourMs).has_value());
}

TYPED_TEST(StoreIdempotency, RecordCommitsWithTheOrder) {
  const int64_t t = this->now();
  const auto user = this->add_user();
  const auto order = this->make_order(user.id);
  const auto record = this->make_record("", "create-order-1", order.id, t, t + kHourMs);  // '' = auth off
  this->add_order(order, &record);

  ASSERT_TRUE(this->store().find_order(order.id).has_value());
  const auto found = this->store().find_idempotency("", "create-order-1", t);
  ASSERT_TRUE(found.has_value());
  expect_same_record(record, *found);
}

TYPED_TEST(StoreIdempotency, UnknownKeyIsNotFound) {
  const int64_t t = this->now();
  EXPECT_FALSE(this->store().find_idempotency("s", "k", t).has_value());
  const auto user = this->make_user();
  const auto record = this->make_record("s", "k", user.id, t, t + kHourMs);
  this->add_user(user, &record);
  EXPECT_FALSE(this->store().find_idempotency("s", "K", t).has_value());
  EXPECT_FALSE(this->store().find_idempotency("S", "k", t).has_value());
  EXPECT_FALSE(this->store().find_idempotency("s", "k2", t).has_value());
  EXPECT_FALSE(this->store().find_idempotency("", "k", t).has_value());
}

TYPED_TEST(StoreIdempotency, SameScopeAndKeyIsTakenAndTheSecondCreateWritesNothing) {
  const int64_t t = this->now();
  const auto first = this->make_user();
  const auto record = this->make_record("scope", "key", first.id, t, t + kHourMs);
  const auto event = this->add_user(first, &record);

  // A different user (a different email) under the same key.
  const auto second = this->make_user();
  const auto second_record = this->make_record("scope", "key", second.id, t + 5, t + 5 + kHourMs);
  EXPECT_EQ(this->store().create_user(second, this->user_created_event(second), &second_record),
            CreateStatus::idempotency_taken);

  EXPECT_FALSE(this->store().find_user(second.id).has_value());
  expect_same_events({event}, this->outbox());
  const auto found = this->store().find_idempotency("scope", "key", t + 10);
  ASSERT_TRUE(found.has_value());
  expect_same_record(record, *found);  // the first record is untouched
}

TYPED_TEST(StoreIdempotency, TakenKeyWinsOverEmailTakenSoARetryCanBeReplayed) {
  const int64_t t = this->now();
  const auto user = this->make_user("retry@example.com");
  const auto record = this->make_record("scope", "key", user.id, t, t + kHourMs);
  this->add_user(user, &record);

  // The retry of the very same request: same email, same key, new ids.
  const auto retry = this->make_user("retry@example.com");
  const auto retry_record = this->make_record("scope", "key", retry.id, t + 1, t + 1 + kHourMs);
  EXPECT_EQ(this->store().create_user(retry, this->user_created_event(retry), &retry_record),
            CreateStatus::idempotency_taken);
  EXPECT_EQ(this->outbox().size(), 1U);
}

TYPED_TEST(StoreIdempotency, TakenKeyWinsOverUserMissingForOrders) {
  const int64_t t = this->now();
  const auto user = this->add_user();
  const auto order = this->make_order(user.id);
  const auto record = this->make_record("scope", "order-key", order.id, t, t + kHourMs);
  this->add_order(order, &record);
  ASSERT_TRUE(this->store().delete_user(user.id, this->deleted_event(events::kUserDeleted, user.id)));
  const auto before = this->outbox();

  const auto retry = this->make_order(user.id);
  const auto retry_record = this->make_record("scope", "order-key", retry.id, t + 1, t + 1 + kHourMs);
  EXPECT_EQ(this->store().create_order(retry, this->order_created_event(retry), &retry_record),
            CreateStatus::idempotency_taken);
  EXPECT_FALSE(this->store().find_order(retry.id).has_value());
  expect_same_events(before, this->outbox());
}

TYPED_TEST(StoreIdempotency, KeysAreSharedAcrossUsersAndOrders) {
  const int64_t t = this->now();
  const auto user = this->make_user();
  const auto record = this->make_record("scope", "key", user.id, t, t + kHourMs);
  this->add_user(user, &record);

  const auto order = this->make_order(user.id);
  const auto order_record = this->make_record("scope", "key", order.id, t + 1, t + 1 + kHourMs);
  EXPECT_EQ(this->store().create_order(order, this->order_created_event(order), &order_record),
            CreateStatus::idempotency_taken);
  EXPECT_FALSE(this->store().find_order(order.id).has_value());
}

TYPED_TEST(StoreIdempotency, RejectedCreateStoresNoRecord) {
  const int64_t t = this->now();
  this->add_user(this->make_user("dup@example.com"));
  const auto dup = this->make_user("Dup@Example.com");
  const auto dup_record = this->make_record("scope", "k-email", dup.id, t, t + kHourMs);
  EXPECT_EQ(this->store().create_user(dup, this->user_created_event(dup), &dup_record), CreateStatus::email_taken);
  EXPECT_FALSE(this->store().find_idempotency("scope", "k-email", t).has_value());

  const auto orphan = this->make_order(this->next_id());
  const auto orphan_record = this->make_record("scope", "k-order", orphan.id, t, t + kHourMs);
  EXPECT_EQ(this->store().create_order(orphan, this->order_created_event(orphan), &orphan_record),
            CreateStatus::user_missing);
  EXPECT_FALSE(this->store().find_idempotency("scope", "k-order", t).has_value());

  // Both keys are still free.
  const auto ok = this->make_user();
  const auto ok_record = this->make_record("scope", "k-email", ok.id, t, t + kHourMs);
  EXPECT_EQ(this->store().create_user(ok, this->user_created_event(ok), &ok_record), CreateStatus::created);
}

TYPED_TEST(StoreIdempotency, SameKeyInAnotherScopeIsIndependent) {
  const int64_t t = this->now();
  const auto a = this->make_user();
  const auto b = this->make_user();
  const auto record_a = this->make_record("tenant-a", "key", a.id, t, t + kHourMs);
  const auto record_b = this->make_record("tenant-b", "key", b.id, t, t + 2 * kHourMs);
  this->add_user(a, &record_a);
  this->add_user(b, &record_b);

  const auto found_a = this->store().find_idempotency("tenant-a", "key", t);
  const auto found_b = this->store().find_idempotency("tenant-b", "key", t);
  ASSERT_TRUE(found_a.has_value());
  ASSERT_TRUE(found_b.has_value());
  expect_same_record(record_a, *found_a);
  expect_same_record(record_b, *found_b);
  // Expiry is per record, too.
  EXPECT_FALSE(this->store().find_idempotency("tenant-a", "key", t + kHourMs).has_value());
  EXPECT_TRUE(this->store().find_idempotency("tenant-b", "key", t + kHourMs).has_value());
}

TYPED_TEST(StoreIdempotency, ExpiredKeyCanBeReused) {
  const int64_t t = this->now();
  const auto old_user = this->make_user();
  const auto old_record = this->make_record("scope", "key", old_user.id, t - 2 * kHourMs, t - kHourMs);
  this->add_user(old_user, &old_record);
  ASSERT_FALSE(this->store().find_idempotency("scope", "key", t).has_value());

  const auto user = this->make_user();
  const auto record = this->make_record("scope", "key", user.id, t, t + kHourMs);
  EXPECT_EQ(this->store().create_user(user, this->user_created_event(user), &record), CreateStatus::created);
  EXPECT_TRUE(this->store().find_user(user.id).has_value());
  const auto found = this->store().find_idempotency("scope", "key", t);
  ASSERT_TRUE(found.has_value());
  expect_same_record(record, *found);

  // The reused key is live again and blocks the next create.
  const auto third = this->make_user();
  const auto third_record = this->make_record("scope", "key", third.id, t + 1, t + 1 + kHourMs);
  EXPECT_EQ(this->store().create_user(third, this->user_created_event(third), &third_record),
            CreateStatus::idempotency_taken);
}

TYPED_TEST(StoreIdempotency, PurgeRemovesOnlyExpiredRecords) {
  const int64_t t = this->now();
  const auto user = this->add_user();
  struct Spec {
    const char* key;
    int64_t expires_at;
  };
  // Expired at t: everything find_idempotency(t) no longer returns (expires_at <= t).
  const Spec specs[] = {{"expired-long-ago", t - kHourMs},
                        {"expired-just-now", t - 1},
                        {"expires-now", t},
                        {"live-1ms", t + 1},
                        {"live-1h", t + kHourMs}};
  for (const auto& spec : specs) {
    const auto order = this->make_order(user.id);
    const auto record = this->make_record("scope", spec.key, order.id, t - 2 * kHourMs, spec.expires_at);
    this->add_order(order, &record);
  }

  EXPECT_EQ(this->store().purge_idempotency(t), 3U);
  for (const char* key : {"live-1ms", "live-1h"}) {
    EXPECT_TRUE(this->store().find_idempotency("scope", key, t).has_value()) << key;
  }
  EXPECT_EQ(this->store().purge_idempotency(t), 0U);  // nothing left to purge at t
  // The purged keys are free; the live ones are still taken.
  for (const auto& spec : specs) {
    const auto order = this->make_order(user.id);
    const auto record = this->make_record("scope", spec.key, order.id, t, t + kHourMs);
    const bool live = spec.expires_at > t;
    EXPECT_EQ(this->store().create_order(order, this->order_created_event(order), &record),
              live ? CreateStatus::idempotency_taken : CreateStatus::created)
        << spec.key;
  }
  // Purging never touches entities or events.
  EXPECT_EQ(this->store().list_orders({100, std::nullopt}, std::nullopt).items.size(), 8U);
  EXPECT_EQ(this->outbox().size(), 9U);
}

TYPED_TEST(StoreIdempotency, PurgeOnEmptyStoreRemovesNothing) {
  EXPECT_EQ(this->store().purge_idempotency(this->now()), 0U);
}

TYPED_TEST(StoreIdempotency, PurgeLaterRemovesWhatHasSinceExpired) {
  const int64_t t = this->now();
  const auto user = this->make_user();
  const auto record = this->make_record("scope", "key", user.id, t, t + kHourMs);
  this->add_user(user, &record);

  EXPECT_EQ(this->store().purge_idempotency(t), 0U);
  EXPECT_TRUE(this->store().find_idempotency("scope", "key", t).has_value());
  EXPECT_EQ(this->store().purge_idempotency(t + kHourMs), 1U);
  EXPECT_FALSE(this->store().find_idempotency("scope", "key", t).has_value());
  EXPECT_TRUE(this->store().find_user(user.id).has_value());
}

}  // namespace
}  // namespace ninja::contract
