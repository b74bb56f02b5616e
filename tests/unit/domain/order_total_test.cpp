#include <gtest/gtest.h>

#include "domain/order_service.hpp"
#include "domain/validation.hpp"

namespace ninja::domain {
namespace {

TEST(OrderTotal, EmptyIsZero) { EXPECT_EQ(order_total({}), 0); }

TEST(OrderTotal, SumsQuantityTimesUnitPrice) {
  EXPECT_EQ(order_total({{"A", 2, 1999}}), 3998);
  EXPECT_EQ(order_total({{"A", 2, 1999}, {"B", 1, 1}, {"C", 3, 0}}), 3999);
}

TEST(OrderTotal, FreeItemsContributeNothing) { EXPECT_EQ(order_total({{"A", 1000, 0}, {"B", 1, 0}}), 0); }

TEST(OrderTotal, LargestValidOrderIsExact) {
  // 100 items × 1000 × 100000000 = 10^13, exactly representable (a double would be exact too, but
  // adding 1 shows no precision is lost in the accumulation).
  std::vector<OrderItem> items(kMaxItems, OrderItem{"MAX", kMaxQuantity, kMaxUnitPrice});
  EXPECT_EQ(order_total(items), 10000000000000);
  items.back().unit_price = kMaxUnitPrice - 1;
  EXPECT_EQ(order_total(items), 10000000000000 - 1000);
}

TEST(OrderTotal, OddAmountsDoNotRoundLikeFloatingPoint) {
  // 0.1 + 0.2 style sums in minor units stay exact.
  std::vector<OrderItem> items;
  for (int i = 0; i < 100; ++i) items.push_back({"X", 3, 33333333});
  EXPECT_EQ(order_total(items), 100 * 3 * 33333333LL);
}

}  // namespace
}  // namespace ninja::domain
