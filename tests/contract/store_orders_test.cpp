// Store contract: orders (round trips, the user must exist, delete, orders outlive their user).
#include "store_contract.hpp"

#include "domain/representation.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StoreOrders : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreOrders, StoreBackends, BackendName);

TYPED_TEST(StoreOrders, RoundTripsEveryFieldWithNoteSet) {
  const auto user = this->add_user();
  domain::Order order = this->make_order(user.id);
  order.items = {
      {"SKU-1", 1, 1},
      {"ninja-star/🥷 \"gold\"", 1000, 100'000'000},  // the largest price the API accepts
      {"sku with spaces & ünïcode", 7, 0},
  };
  order.total = 1 + 1000LL * 100'000'000 + 0;
  order.currency = "JPY";
  order.note = "leave at the door — \"back\" entrance; 'thanks' \\ 100%";
  this->add_order(order);

  const auto found = this->store().find_order(order.id);
  ASSERT_TRUE(found.has_value());
  expect_same_order(order, *found);
}

TYPED_TEST(StoreOrders, FindsTheOrdersJsonExactlyAsItsTreeSerializes) {
  const auto user = this->add_user();
  domain::Order order = this->make_order(user.id);
  order.items = {{"ninja-star/🥷 \"gold\"", 1000, 100'000'000}, {"tab\there\\", 1, 0}};
  order.total = 1000LL * 100'000'000;
  order.note = "line\nbreak \"quoted\" \x01 — ünïcode";
  this->add_order(order);
  const auto plain = this->add_order(user.id);  // no note

  for (const auto& id : {order.id, plain.id}) {
    const auto found = this->store().find_order(id);
    ASSERT_TRUE(found.has_value());
    const auto text = this->store().find_order_json(id);
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text, boost::json::serialize(domain::to_json(*found)));
  }
  EXPECT_FALSE(this->store().find_order_json(this->next_id()).has_value());
}

TYPED_TEST(StoreOrders, RoundTripsAbsentNoteAsAbsent) {
  const auto user = this->add_user();
  const auto order = this->make_order(user.id);
  ASSERT_FALSE(order.note.has_value());
  this->add_order(order);

  const auto found = this->store().find_order(order.id);
  ASSERT_TRUE(found.has_value());
  expect_same_order(order, *found);
  EXPECT_FALSE(found->note.has_value());
  EXPECT_EQ(found->status, "created");
}

TYPED_TEST(StoreOrders, RoundTripsTheLargestTotal) {
  const auto user = this->add_user();
  domain::Order order = this->make_order(user.id);
  // 100 items × quantity 1000 × unit price 10^8 = 10^13 minor units.
  order.items.clear();
  for (int i = 0; i < 100; ++i) order.items.push_back({"SKU-" + std::to_string(i), 1000, 100'000'000});
  order.total = 10'000'000'000'000LL;
  this->add_order(order);

  const auto found = this->store().find_order(order.id);
  ASSERT_TRUE(found.has_value());
  expect_same_order(order, *found);
}

TYPED_TEST(StoreOrders, FindUnknownIdReturnsNothing) {
  EXPECT_FALSE(this->store().find_order(this->next_id()).has_value());
  const auto user = this->add_user();
  const auto order = this->add_order(user.id);
  EXPECT_FALSE(this->store().find_order(this->next_id()).has_value());
  EXPECT_FALSE(this->store().find_order("").has_value());
  EXPECT_TRUE(this->store().find_order(order.id).has_value());
}

TYPED_TEST(StoreOrders, CreateForMissingUserIsRejectedAndWritesNothing) {
  const auto other = this->add_user();
  const auto before = this->outbox();

  const auto order = this->make_order(this->next_id());  // no such user
  EXPECT_EQ(this->store().create_order(order, this->order_created_event(order), nullptr), CreateStatus::user_missing);

  EXPECT_FALSE(this->store().find_order(order.id).has_value());
  EXPECT_TRUE(this->store().list_orders({100, std::nullopt}, std::nullopt).items.empty());
  EXPECT_TRUE(this->store().list_orders({100, std::nullopt}, order.user_id).items.empty());
  EXPECT_TRUE(this->store().list_orders({100, std::nullopt}, other.id).items.empty());
  expect_same_events(before, this->outbox());
}

TYPED_TEST(StoreOrders, CreateForDeletedUserIsRejected) {
  const auto user = this->add_user();
  ASSERT_TRUE(this->store().delete_user(user.id, this->deleted_event(events::kUserDeleted, user.id)));
  const auto before = this->outbox();
  ASSERT_EQ(before.size(), 2U);

  const auto order = this->make_order(user.id);
  EXPECT_EQ(this->store().create_order(order, this->order_created_event(order), nullptr), CreateStatus::user_missing);
  EXPECT_FALSE(this->store().find_order(order.id).has_value());
  expect_same_events(before, this->outbox());
}

TYPED_TEST(StoreOrders, DeleteRemovesTheOrderExactlyOnce) {
  const auto user = this->add_user();
  const auto user_event = this->outbox().at(0);
  auto order = this->make_order(user.id);
  order.note = "fragile";
  const auto created = this->add_order(order);
  const auto deleted = this->deleted_event(events::kOrderDeleted, order.id);

  EXPECT_TRUE(this->store().delete_order(order.id, deleted));
  EXPECT_FALSE(this->store().find_order(order.id).has_value());
  EXPECT_FALSE(this->store().delete_order(order.id, this->deleted_event(events::kOrderDeleted, order.id)));
  EXPECT_TRUE(this->store().list_orders({10, std::nullopt}, std::nullopt).items.empty());
  EXPECT_TRUE(this->store().find_user(user.id).has_value());  // the user is untouched
  expect_same_events({user_event, created, deleted}, this->outbox());
}

TYPED_TEST(StoreOrders, DeleteUnknownOrderReturnsFalseAndWritesNothing) {
  EXPECT_FALSE(this->store().delete_order(this->next_id(), this->deleted_event(events::kOrderDeleted, "x")));
  EXPECT_TRUE(this->outbox().empty());

  const auto user = this->add_user();
  const auto order = this->add_order(user.id);
  const auto before = this->outbox();
  EXPECT_FALSE(this->store().delete_order(this->next_id(), this->deleted_event(events::kOrderDeleted, "y")));
  EXPECT_FALSE(this->store().delete_order("", this->deleted_event(events::kOrderDeleted, "")));
  expect_same_events(before, this->outbox());
  EXPECT_TRUE(this->store().find_order(order.id).has_value());
}

TYPED_TEST(StoreOrders, DeleteTouchesOnlyThatOrder) {
  const auto user = this->add_user();
  const auto keep = this->add_order(user.id);
  const auto gone = this->add_order(user.id);
  ASSERT_TRUE(this->store().delete_order(gone.id, this->deleted_event(events::kOrderDeleted, gone.id)));

  const auto found = this->store().find_order(keep.id);
  ASSERT_TRUE(found.has_value());
  expect_same_order(keep, *found);
  EXPECT_EQ(ids_of(this->store().list_orders({10, std::nullopt}, user.id).items), std::vector<std::string>{keep.id});
}

TYPED_TEST(StoreOrders, OrdersOutliveTheirUser) {
  const auto user = this->add_user();
  const auto first = this->add_order(user.id);
  const auto second = this->add_order(user.id);
  ASSERT_TRUE(this->store().delete_user(user.id, this->deleted_event(events::kUserDeleted, user.id)));

  const auto found = this->store().find_order(first.id);
  ASSERT_TRUE(found.has_value());
  expect_same_order(first, *found);
  const auto page = this->store().list_orders({10, std::nullopt}, user.id);
  EXPECT_EQ(ids_of(page.items), (std::vector<std::string>{second.id, first.id}));
  EXPECT_TRUE(this->store().delete_order(second.id, this->deleted_event(events::kOrderDeleted, second.id)));
}

TYPED_TEST(StoreOrders, ManyOrdersPerUser) {
  const auto a = this->add_user();
  const auto b = this->add_user();
  std::vector<std::string> a_orders;
  std::vector<std::string> b_orders;
  for (int i = 0; i < 5; ++i) {
    a_orders.push_back(this->add_order(a.id).id);
    b_orders.push_back(this->add_order(b.id).id);
  }
  for (const auto& id : a_orders) {
    const auto found = this->store().find_order(id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->user_id, a.id);
  }
  for (const auto& id : b_orders) {
    const auto found = this->store().find_order(id);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->user_id, b.id);
  }
}

}  // namespace
}  // namespace ninja::contract
