#include "notify/message_text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace ninja::notify {
namespace {

TEST(FormatAmount, UsesTheCurrencyExponent) {
  EXPECT_EQ(format_amount(1234, "EUR"), "12.34 EUR");
  EXPECT_EQ(format_amount(5, "USD"), "0.05 USD");
  EXPECT_EQ(format_amount(0, "USD"), "0.00 USD");
  EXPECT_EQ(format_amount(1200, "JPY"), "1200 JPY");
  EXPECT_EQ(format_amount(1250, "KWD"), "1.250 KWD");
  EXPECT_EQ(format_amount(7, "KWD"), "0.007 KWD");
  EXPECT_EQ(format_amount(-150, "EUR"), "-1.50 EUR");
}

TEST(FormatAmount, HandlesTheExtremes) {
  EXPECT_EQ(format_amount(std::numeric_limits<int64_t>::max(), "EUR"), "92233720368547758.07 EUR");
  EXPECT_EQ(format_amount(std::numeric_limits<int64_t>::min(), "EUR"), "-92233720368547758.08 EUR");
}

TEST(NotificationText, NamesTheOrderAndTotal) {
  Notification n;
  n.order_id = "0193-order";
  n.total = 4599;
  n.currency = "EUR";
  n.user.name = "Ada";
  EXPECT_EQ(notification_subject(n), "Your order 0193-order is confirmed");
  EXPECT_EQ(notification_text(n), "Hello Ada, your order 0193-order for 45.99 EUR is confirmed.");
}

}  // namespace
}  // namespace ninja::notify
