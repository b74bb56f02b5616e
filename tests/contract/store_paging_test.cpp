// Store contract: keyset pagination, newest first (ids are UUIDv7, so id order is creation order).
#include <algorithm>
#include <functional>

#include "store_contract.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StorePaging : public StoreContract<Backend> {
 protected:
  // Creates `n` users and returns their ids newest first.
  std::vector<std::string> add_users(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(this->add_user().id);
    std::reverse(ids.begin(), ids.end());
    return ids;
  }
  std::vector<std::string> add_orders(const std::string& user_id, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(this->add_order(user_id).id);
    std::reverse(ids.begin(), ids.end());
    return ids;
  }
};
TYPED_TEST_SUITE(StorePaging, StoreBackends, BackendName);

// Walks every page of `limit` items and checks each page's has_more; returns all ids seen.
template <class T>
std::vector<std::string> walk(const std::function<domain::Page<T>(const PageQuery&)>& list, size_t limit,
                              size_t total) {
  std::vector<std::string> seen;
  PageQuery query{limit, std::nullopt};
  for (size_t pages = 0; pages <= total + 1; ++pages) {
    const auto page = list(query);
    EXPECT_LE(page.items.size(), limit);
    for (const auto& item : page.items) seen.push_back(item.id);
    const bool more_expected = seen.size() < total;
    EXPECT_EQ(page.has_more, more_expected) << "after " << seen.size() << " of " << total;
    if (!page.has_more || page.items.empty()) break;
    query.before_id = page.items.back().id;
  }
  return seen;
}

TYPED_TEST(StorePaging, EmptyStoreListsNothing) {
  const auto users = this->store().list_users({20, std::nullopt});
  EXPECT_TRUE(users.items.empty());
  EXPECT_FALSE(users.has_more);
  const auto orders = this->store().list_orders({20, std::nullopt}, std::nullopt);
  EXPECT_TRUE(orders.items.empty());
  EXPECT_FALSE(orders.has_more);
  EXPECT_FALSE(this->store().list_orders({20, std::nullopt}, this->next_id()).has_more);
}

TYPED_TEST(StorePaging, UsersComeNewestFirstWithFullFields) {
  auto first = this->make_full_user();
  this->add_user(first);
  const auto second = this->add_user();
  const auto page = this->store().list_users({20, std::nullopt});
  ASSERT_EQ(page.items.size(), 2U);
  EXPECT_FALSE(page.has_more);
  expect_same_user(second, page.items[0]);
  expect_same_user(first, page.items[1]);
}

TYPED_TEST(StorePaging, UserPagesFollowBeforeId) {
  const auto ids = this->add_users(5);  // newest first: ids[0] > ... > ids[4]

  auto page = this->store().list_users({2, std::nullopt});
  EXPECT_EQ(ids_of(page.items), (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_TRUE(page.has_more);

  page = this->store().list_users({2, ids[1]});
  EXPECT_EQ(ids_of(page.items), (std::vector<std::string>{ids[2], ids[3]}));
  EXPECT_TRUE(page.has_more);

  page = this->store().list_users({2, ids[3]});
  EXPECT_EQ(ids_of(page.items), (std::vector<std::string>{ids[4]}));
  EXPECT_FALSE(page.has_more);

  page = this->store().list_users({2, ids[4]});
  EXPECT_TRUE(page.items.empty());
  EXPECT_FALSE(page.has_more);
}

TYPED_TEST(StorePaging, HasMoreIsFalseWhenTheLastPageIsExactlyFull) {
  const auto ids = this->add_users(4);
  auto page = this->store().list_users({4, std::nullopt});
  EXPECT_EQ(ids_of(page.items), ids);
  EXPECT_FALSE(page.has_more);

  page = this->store().list_users({2, ids[1]});
  EXPECT_EQ(ids_of(page.items), (std::vector<std::string>{ids[2], ids[3]}));
  EXPECT_FALSE(page.has_more);

  page = this->store().list_users({3, std::nullopt});
  EXPECT_EQ(page.items.size(), 3U);
  EXPECT_TRUE(page.has_more);
}

TYPED_TEST(StorePaging, LimitOfOneWalksEveryUser) {
  const auto ids = this->add_users(6);
  const auto seen = walk<domain::User>([&](const PageQuery& q) { return this->store().list_users(q); }, 1, 6);
  EXPECT_EQ(seen, ids);
}

TYPED_TEST(StorePaging, BeforeIdNeedNotExist) {
  const auto ids = this->add_users(3);
  // A deleted user's id is still a valid cursor: the page continues below it.
  ASSERT_TRUE(this->store().delete_user(ids[1], this->deleted_event(events::kUserDeleted, ids[1])));
  auto page = this->store().list_users({10, ids[1]});
  EXPECT_EQ(ids_of(page.items), std::vector<std::string>{ids[2]});
  EXPECT_FALSE(page.has_more);

  // An id newer than every item returns the first page.
  const std::string newer = this->next_id();
  page = this->store().list_users({10, newer});
  EXPECT_EQ(ids_of(page.items), (std::vector<std::string>{ids[0], ids[2]}));
}

TYPED_TEST(StorePaging, DeletedUsersDisappearFromPages) {
  const auto ids = this->add_users(5);
  ASSERT_TRUE(this->store().delete_user(ids[0], this->deleted_event(events::kUserDeleted, ids[0])));
  ASSERT_TRUE(this->store().delete_user(ids[3], this->deleted_event(events::kUserDeleted, ids[3])));
  const auto seen = walk<domain::User>([&](const PageQuery& q) { return this->store().list_users(q); }, 2, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{ids[1], ids[2], ids[4]}));
}

TYPED_TEST(StorePaging, OrdersComeNewestFirstAcrossUsers) {
  const auto a = this->add_user();
  const auto b = this->add_user();
  std::vector<std::string> ids;
  std::vector<domain::Order> orders;
  for (int i = 0; i < 3; ++i) {
    orders.push_back(this->add_order(a.id));
    orders.push_back(this->add_order(b.id));
  }
  for (auto it = orders.rbegin(); it != orders.rend(); ++it) ids.push_back(it->id);

  const auto page = this->store().list_orders({20, std::nullopt}, std::nullopt);
  ASSERT_EQ(ids_of(page.items), ids);
  EXPECT_FALSE(page.has_more);
  for (size_t i = 0; i < orders.size(); ++i) expect_same_order(orders[orders.size() - 1 - i], page.items[i]);

  const auto seen =
      walk<domain::Order>([&](const PageQuery& q) { return this->store().list_orders(q, std::nullopt); }, 4, 6);
  EXPECT_EQ(seen, ids);
}

TYPED_TEST(StorePaging, OrdersByUserOnlyListThatUser) {
  const auto a = this->add_user();
  const auto b = this->add_user();
  const auto c = this->add_user();
  std::vector<std::string> a_ids;
  std::vector<std::string> b_ids;
  for (int i = 0; i < 5; ++i) {
    a_ids.insert(a_ids.begin(), this->add_order(a.id).id);
    b_ids.insert(b_ids.begin(), this->add_order(b.id).id);
  }

  auto page = this->store().list_orders({2, std::nullopt}, a.id);
  EXPECT_EQ(ids_of(page.items), (std::vector<std::string>{a_ids[0], a_ids[1]}));
  EXPECT_TRUE(page.has_more);
  page = this->store().list_orders({2, a_ids[1]}, a.id);
  EXPECT_EQ(ids_of(page.items), (std::vector<std::string>{a_ids[2], a_ids[3]}));
  EXPECT_TRUE(page.has_more);
  page = this->store().list_orders({2, a_ids[3]}, a.id);
  EXPECT_EQ(ids_of(page.items), std::vector<std::string>{a_ids[4]});
  EXPECT_FALSE(page.has_more);  // b's older orders must not count as "more"

  const std::string b_id = b.id;
  const auto seen_b = walk<domain::Order>([&](const PageQuery& q) { return this->store().list_orders(q, b_id); }, 3, 5);
  EXPECT_EQ(seen_b, b_ids);

  page = this->store().list_orders({10, std::nullopt}, c.id);
  EXPECT_TRUE(page.items.empty());
  EXPECT_FALSE(page.has_more);
  page = this->store().list_orders({10, std::nullopt}, this->next_id());
  EXPECT_TRUE(page.items.empty());
}

TYPED_TEST(StorePaging, OrdersByUserAcceptAForeignCursor) {
  const auto a = this->add_user();
  const auto b = this->add_user();
  const auto a1 = this->add_order(a.id);
  const auto b1 = this->add_order(b.id);
  const auto a2 = this->add_order(a.id);
  // b1's id sits between a1 and a2: listing a's orders before it yields a1 only.
  const auto page = this->store().list_orders({10, b1.id}, a.id);
  EXPECT_EQ(ids_of(page.items), std::vector<std::string>{a1.id});
  EXPECT_FALSE(page.has_more);
  EXPECT_EQ(ids_of(this->store().list_orders({1, std::nullopt}, a.id).items), std::vector<std::string>{a2.id});
}

}  // namespace
}  // namespace ninja::contract
