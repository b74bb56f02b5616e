#include "http/client_connection_limit.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace ninja::http {
namespace {

TEST(ClientConnectionLimit, EachAddressGetsItsShareAndAClosedSlotIsFreed) {
  ClientConnectionLimit limit(2);
  auto a1 = std::make_unique<ClientConnectionLimit::Slot>(limit, "10.0.0.1");
  ClientConnectionLimit::Slot a2(limit, "10.0.0.1");
  ClientConnectionLimit::Slot b1(limit, "10.0.0.2");
  EXPECT_TRUE(a1->taken());
  EXPECT_TRUE(a2.taken());
  EXPECT_TRUE(b1.taken());  // another address is not held back
  {
    ClientConnectionLimit::Slot a3(limit, "10.0.0.1");
    EXPECT_FALSE(a3.taken());
  }  // a refused slot frees nothing it did not hold
  ClientConnectionLimit::Slot still_full(limit, "10.0.0.1");
  EXPECT_FALSE(still_full.taken());
  a1.reset();
  ClientConnectionLimit::Slot again(limit, "10.0.0.1");
  EXPECT_TRUE(again.taken());
}

TEST(ClientConnectionLimit, ForgetsAddressesWithoutConnections) {
  ClientConnectionLimit limit(3);
  {
    std::vector<std::unique_ptr<ClientConnectionLimit::Slot>> slots;
    for (int i = 0; i < 100; ++i) {
      slots.push_back(std::make_unique<ClientConnectionLimit::Slot>(limit, "10.0.1." + std::to_string(i)));
    }
    EXPECT_EQ(limit.tracked_addresses(), 100u);
    ClientConnectionLimit::Slot refused_a(limit, "10.0.9.9");
    ClientConnectionLimit::Slot refused_b(limit, "10.0.9.9");
    ClientConnectionLimit::Slot refused_c(limit, "10.0.9.9");
    ClientConnectionLimit::Slot refused_d(limit, "10.0.9.9");
    EXPECT_FALSE(refused_d.taken());
  }
  EXPECT_EQ(limit.tracked_addresses(), 0u);
}

TEST(ClientConnectionLimit, ZeroMeansNoCap) {
  ClientConnectionLimit limit(0);
  std::vector<std::unique_ptr<ClientConnectionLimit::Slot>> slots;
  for (int i = 0; i < 1000; ++i) {
    slots.push_back(std::make_unique<ClientConnectionLimit::Slot>(limit, "10.0.0.1"));
    ASSERT_TRUE(slots.back()->taken()) << i;
  }
  EXPECT_EQ(limit.tracked_addresses(), 0u);  // nothing is counted at all
}

}  // namespace
}  // namespace ninja::http
