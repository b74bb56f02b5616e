#include <gtest/gtest.h>

#include <stdexcept>

#include "events/inproc/inproc_bus.hpp"

namespace ninja::events {
namespace {

Event event(std::string id, std::string_view type) { return {std::move(id), std::string(type), "s", 1, "{}"}; }

std::vector<std::string> ids(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

TEST(InprocBus, HandsEachSubscriberItsTypesInPublishOrder) {
  InprocBus bus;
  std::vector<std::vector<std::string>> orders, users;
  bus.subscribe("orders", {std::string(kOrderCreated)}, [&](const auto& batch) { orders.push_back(ids(batch)); });
  bus.subscribe("users", {std::string(kUserCreated), std::string(kUserDeleted)},
                [&](const auto& batch) { users.push_back(ids(batch)); });
  bus.publish({event("1", kUserCreated), event("2", kOrderCreated), event("3", kOrderCreated), event("4", kUserDeleted),
               event("5", kOrderDeleted)});
  EXPECT_EQ(orders, (std::vector<std::vector<std::string>>{{"2", "3"}}));
  EXPECT_EQ(users, (std::vector<std::vector<std::string>>{{"1", "4"}}));
}

TEST(InprocBus, SkipsSubscribersWithNothingToReceive) {
  InprocBus bus;
  int calls = 0;
  bus.subscribe("orders", {std::string(kOrderCreated)}, [&](const auto&) { ++calls; });
  bus.publish({event("1", kUserCreated)});
  bus.publish({});
  EXPECT_EQ(calls, 0);
}

TEST(InprocBus, ARefusingSubscriberFailsThePublish) {
  InprocBus bus;
  bus.subscribe("orders", {std::string(kOrderCreated)}, [](const auto&) { throw std::runtime_error("disk full"); });
  EXPECT_THROW(bus.publish({event("1", kOrderCreated)}), std::runtime_error);
  EXPECT_NO_THROW(bus.publish({event("2", kUserCreated)}));
  EXPECT_TRUE(bus.ready());
}

}  // namespace
}  // namespace ninja::events
