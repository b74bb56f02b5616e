// Store contract: the transactional outbox. Every successful create/delete appends exactly the event
// it was given; a rejected write appends nothing. (How relays take them out: outbox_claim_test.cpp.)
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StoreOutbox : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreOutbox, StoreBackends, BackendName);

TYPED_TEST(StoreOutbox, EmptyStoreHasNoEvents) { EXPECT_TRUE(this->outbox().empty()); }

TYPED_TEST(StoreOutbox, EachWriteAppendsItsEvent) {
  std::vector<events::Event> expected;
  const auto check = [&](const char* step) {
    SCOPED_TRACE(step);
    expect_same_events(expected, this->outbox());
  };

  const auto user = this->make_full_user();
  expected.push_back(this->add_user(user));
  check("user created");

  const auto order = this->make_order(user.id);
  expected.push_back(this->add_order(order));
  check("order created");

  const auto other = this->make_user();
  expected.push_back(this->add_user(other));
  check("second user created");

  expected.push_back(this->deleted_event(events::kOrderDeleted, order.id));
  ASSERT_TRUE(this->store().delete_order(order.id, expected.back()));
  check("order deleted");

  expected.push_back(this->deleted_event(events::kUserDeleted, user.id));
  ASSERT_TRUE(this->store().delete_user(user.id, expected.back()));
  check("user deleted");

  const auto again = this->make_user(user.email);  // the freed email
  expected.push_back(this->add_user(again));
  check("email reused");
}

TYPED_TEST(StoreOutbox, EventFieldsAreStoredVerbatim) {
  const auto user = this->make_user();
  // Any JSON text, any subject and time: the store keeps the event as given.
  events::Event event{this->next_id(), std::string(events::kUserCreated), user.id, 1'700'000'000'007,
                      R"({"note":"🥷 \"quoted\" \\ \u0000 ü","n":[1,2.5,null,true],"deep":{"a":{"b":[]}}})"};
  ASSERT_EQ(this->store().create_user(user, event, nullptr), CreateStatus::created);
  expect_same_events({event}, this->outbox());

  // make_event's CloudEvent JSON survives unchanged as well.
  const auto order = this->make_order(user.id);
  const auto made = this->order_created_event(order);
  ASSERT_EQ(this->store().create_order(order, made, nullptr), CreateStatus::created);
  const auto all = this->outbox();
  ASSERT_EQ(all.size(), 2U);
  expect_same_event(made, all[1]);
  EXPECT_NE(all[1].payload.find("\"specversion\":\"1.0\""), std::string::npos);
}

TYPED_TEST(StoreOutbox, RejectedWritesAppendNothing) {
  const auto user = this->make_user("taken@example.com");
  const auto record = this->make_record("scope", "key-1", user.id, this->now(), this->now() + kHourMs);
  const auto expected = this->add_user(user, &record);
  auto& store = this->store();

  const auto dup = this->make_user("TAKEN@example.com");
  EXPECT_EQ(store.create_user(dup, this->user_created_event(dup), nullptr), CreateStatus::email_taken);

  const auto orphan = this->make_order(this->next_id());
  EXPECT_EQ(store.create_order(orphan, this->order_created_event(orphan), nullptr), CreateStatus::user_missing);

  const auto retry = this->make_user();
  const auto retry_record = this->make_record("scope", "key-1", retry.id, this->now(), this->now() + kHourMs);
  EXPECT_EQ(store.create_user(retry, this->user_created_event(retry), &retry_record), CreateStatus::idempotency_taken);

  EXPECT_FALSE(store.delete_user(this->next_id(), this->deleted_event(events::kUserDeleted, "u")));
  EXPECT_FALSE(store.delete_order(this->next_id(), this->deleted_event(events::kOrderDeleted, "o")));

  expect_same_events({expected}, this->outbox());
}

TYPED_TEST(StoreOutbox, EventsOutliveTheirEntity) {
  const auto user = this->add_user();
  const auto created = this->outbox().at(0);
  const auto deleted = this->deleted_event(events::kUserDeleted, user.id);
  ASSERT_TRUE(this->store().delete_user(user.id, deleted));
  expect_same_events({created, deleted}, this->outbox());
}

}  // namespace
}  // namespace ninja::contract
