// Store contract: users (create/find/delete round trips, case-insensitive email uniqueness).
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StoreUsers : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreUsers, StoreBackends, BackendName);

TYPED_TEST(StoreUsers, RoundTripsEveryFieldWithOptionalFieldsSet) {
  const auto user = this->make_full_user();
  ASSERT_TRUE(user.phone && user.webhook_url && user.webhook_secret);
  this->add_user(user);

  const auto found = this->store().find_user(user.id);
  ASSERT_TRUE(found.has_value());
  expect_same_user(user, *found);
}

TYPED_TEST(StoreUsers, RoundTripsAbsentOptionalFieldsAsAbsent) {
  auto user = this->make_user();
  user.notify_channel = domain::NotifyChannel::none;
  this->add_user(user);

  const auto found = this->store().find_user(user.id);
  ASSERT_TRUE(found.has_value());
  expect_same_user(user, *found);
  EXPECT_FALSE(found->phone.has_value());
  EXPECT_FALSE(found->webhook_url.has_value());
  EXPECT_FALSE(found->webhook_secret.has_value());
}

TYPED_TEST(StoreUsers, RoundTripsEveryNotifyChannel) {
  for (const auto channel : {domain::NotifyChannel::email, domain::NotifyChannel::sms, domain::NotifyChannel::webhook,
                             domain::NotifyChannel::none}) {
    auto user = this->make_user();
    user.notify_channel = channel;
    this->add_user(user);
    const auto found = this->store().find_user(user.id);
    ASSERT_TRUE(found.has_value()) << domain::to_string(channel);
    EXPECT_EQ(found->notify_channel, channel);
  }
}

TYPED_TEST(StoreUsers, StoresTextVerbatim) {
  auto user = this->make_user("O'Brien+\"quoted\"@Exämple.com");
  user.name = "  Zoë 'Bobby'; DROP TABLE users; -- 名前 🥷 \\ % _  ";
  user.phone = "+1 (555) 010-0199 ext. 7";
  user.created_at_ms = 4'102'444'800'123;  // 2100-01-01T00:00:00.123Z
  this->add_user(user);

  const auto found = this->store().find_user(user.id);
  ASSERT_TRUE(found.has_value());
  expect_same_user(user, *found);
}

TYPED_TEST(StoreUsers, FindUnknownIdReturnsNothing) {
  EXPECT_FALSE(this->store().find_user(this->next_id()).has_value());
  const auto user = this->add_user();
  EXPECT_FALSE(this->store().find_user(this->next_id()).has_value());
  EXPECT_FALSE(this->store().find_user("").has_value());
  EXPECT_TRUE(this->store().find_user(user.id).has_value());
}

TYPED_TEST(StoreUsers, EmailUniquenessIsCaseInsensitive) {
  const auto first = this->make_user("Ann.Lee@Example.com");
  const auto first_event = this->add_user(first);

  for (const std::string email :
       {"Ann.Lee@Example.com", "ann.lee@example.com", "ANN.LEE@EXAMPLE.COM", "aNN.lEE@eXAMPLE.cOM"}) {
    SCOPED_TRACE(email);
    const auto second = this->make_user(email);
    EXPECT_EQ(this->store().create_user(second, this->user_created_event(second), nullptr), CreateStatus::email_taken);
    EXPECT_FALSE(this->store().find_user(second.id).has_value());
  }

  // Nothing of the rejected creates was written; the first user keeps the email as given.
  expect_same_events({first_event}, this->outbox());
  const auto found = this->store().find_user(first.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->email, "Ann.Lee@Example.com");
  EXPECT_EQ(this->store().list_users({100, std::nullopt}).items.size(), 1U);
}

TYPED_TEST(StoreUsers, DifferentEmailsDoNotConflict) {
  for (const std::string email :
       {"ann@example.com", "ann@example.org", "ann2@example.com", "nn@example.com", "ann@example.com.au"}) {
    SCOPED_TRACE(email);
    const auto user = this->make_user(email);
    EXPECT_EQ(this->store().create_user(user, this->user_created_event(user), nullptr), CreateStatus::created);
  }
  EXPECT_EQ(this->store().list_users({100, std::nullopt}).items.size(), 5U);
}

TYPED_TEST(StoreUsers, DeleteFreesTheEmailForANewUser) {
  const auto first = this->make_user("Bob@Example.com");
  this->add_user(first);
  ASSERT_TRUE(this->store().delete_user(first.id, this->deleted_event(events::kUserDeleted, first.id)));

  const auto second = this->make_user("bob@example.COM");
  EXPECT_EQ(this->store().create_user(second, this->user_created_event(second), nullptr), CreateStatus::created);
  const auto found = this->store().find_user(second.id);
  ASSERT_TRUE(found.has_value());
  expect_same_user(second, *found);
  EXPECT_FALSE(this->store().find_user(first.id).has_value());

  // ...and the new holder blocks it again.
  const auto third = this->make_user("BOB@EXAMPLE.COM");
  EXPECT_EQ(this->store().create_user(third, this->user_created_event(third), nullptr), CreateStatus::email_taken);
}

TYPED_TEST(StoreUsers, DeleteRemovesTheUserExactlyOnce) {
  const auto user = this->make_full_user();
  const auto created = this->add_user(user);
  const auto deleted = this->deleted_event(events::kUserDeleted, user.id);

  EXPECT_TRUE(this->store().delete_user(user.id, deleted));
  EXPECT_FALSE(this->store().find_user(user.id).has_value());
  EXPECT_FALSE(this->store().delete_user(user.id, this->deleted_event(events::kUserDeleted, user.id)));
  EXPECT_FALSE(this->store().find_user(user.id).has_value());
  expect_same_events({created, deleted}, this->outbox());
}

TYPED_TEST(StoreUsers, DeleteUnknownUserReturnsFalseAndWritesNothing) {
  EXPECT_FALSE(this->store().delete_user(this->next_id(), this->deleted_event(events::kUserDeleted, "x")));
  EXPECT_TRUE(this->outbox().empty());

  const auto user = this->make_user();
  const auto created = this->add_user(user);
  EXPECT_FALSE(this->store().delete_user(this->next_id(), this->deleted_event(events::kUserDeleted, "y")));
  EXPECT_FALSE(this->store().delete_user("", this->deleted_event(events::kUserDeleted, "")));
  expect_same_events({created}, this->outbox());
  EXPECT_TRUE(this->store().find_user(user.id).has_value());
}

TYPED_TEST(StoreUsers, DeleteTouchesOnlyThatUser) {
  const auto keep = this->make_full_user();
  this->add_user(keep);
  const auto gone = this->add_user();
  ASSERT_TRUE(this->store().delete_user(gone.id, this->deleted_event(events::kUserDeleted, gone.id)));

  const auto found = this->store().find_user(keep.id);
  ASSERT_TRUE(found.has_value());
  expect_same_user(keep, *found);
  const auto page = this->store().list_users({10, std::nullopt});
  EXPECT_EQ(ids_of(page.items), std::vector<std::string>{keep.id});
}

TYPED_TEST(StoreUsers, UserIdsAndOrderIdsAreSeparate) {
  const auto user = this->add_user();
  const auto order = this->add_order(user.id);
  const auto before = this->outbox();

  EXPECT_FALSE(this->store().delete_order(user.id, this->deleted_event(events::kOrderDeleted, user.id)));
  EXPECT_FALSE(this->store().delete_user(order.id, this->deleted_event(events::kUserDeleted, order.id)));
  EXPECT_FALSE(this->store().find_order(user.id).has_value());
  EXPECT_FALSE(this->store().find_user(order.id).has_value());
  EXPECT_TRUE(this->store().find_user(user.id).has_value());
  EXPECT_TRUE(this->store().find_order(order.id).has_value());
  expect_same_events(before, this->outbox());
}

}  // namespace
}  // namespace ninja::contract
