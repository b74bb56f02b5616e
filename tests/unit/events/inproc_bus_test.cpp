#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "events/inproc/inproc_bus.hpp"

namespace ninja::events {
namespace {

Event event(std::string id, std::string_view type) { return {std::move(id), std::string(type), "s", 1, "{}"}; }

std::vector<std::string> ids(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

PublishResults publish(Bus& bus, std::vector<Event> events) {
  return util::await_result<PublishResults>([&](auto done) { bus.publish(std::move(events), std::move(done)); });
}

TEST(InprocBus, HandsEachSubscriberItsTypesInPublishOrder) {
  InprocBus bus;
  std::vector<std::vector<std::string>> orders, users;
  auto a = bus.subscribe("orders", {std::string(kOrderCreated)}, [&](const auto& batch) { orders.push_back(ids(batch)); });
  auto b = bus.subscribe("users", {std::string(kUserCreated), std::string(kUserDeleted)},
                         [&](const auto& batch) { users.push_back(ids(batch)); });
  const auto results = publish(bus, {event("1", kUserCreated), event("2", kOrderCreated), event("3", kOrderCreated),
                                     event("4", kUserDeleted), event("5", kOrderDeleted)});
  EXPECT_EQ(orders, (std::vector<std::vector<std::string>>{{"2", "3"}}));
  EXPECT_EQ(users, (std::vector<std::vector<std::string>>{{"1", "4"}}));
  ASSERT_EQ(results.size(), 5U);
  for (const auto& r : results) EXPECT_FALSE(r);
}

TEST(InprocBus, SkipsSubscribersWithNothingToReceive) {
  InprocBus bus;
  int calls = 0;
  auto s = bus.subscribe("orders", {std::string(kOrderCreated)}, [&](const auto&) { ++calls; });
  publish(bus, {event("1", kUserCreated)});
  publish(bus, {});
  EXPECT_EQ(calls, 0);
}

TEST(InprocBus, ARefusingSubscriberFailsOnlyTheEventsItWanted) {
  InprocBus bus;
  auto s = bus.subscribe("orders", {std::string(kOrderCreated)},
                         [](const auto&) { throw std::runtime_error("disk full"); });
  const auto results = publish(bus, {event("1", kOrderCreated), event("2", kUserCreated), event("3", kOrderCreated)});
  ASSERT_EQ(results.size(), 3U);
  EXPECT_TRUE(results[0]);
  EXPECT_FALSE(results[1]);
  EXPECT_TRUE(results[2]);
  EXPECT_THROW(std::rethrow_exception(results[0]), std::runtime_error);
  EXPECT_TRUE(bus.ready());
  EXPECT_FALSE(bus.reaches_other_processes());
}

TEST(InprocBus, AStoppedSubscriptionIsNeverCalledAgain) {
  InprocBus bus;
  int calls = 0;
  auto s = bus.subscribe("orders", {std::string(kOrderCreated)}, [&](const auto&) { ++calls; });
  publish(bus, {event("1", kOrderCreated)});
  s->stop();
  s->stop();  // idempotent
  publish(bus, {event("2", kOrderCreated)});
  EXPECT_EQ(calls, 1);
}

TEST(InprocBus, StopWaitsForTheBatchInProgress) {
  InprocBus bus;
  std::atomic<bool> inside{false};
  std::atomic<bool> finished{false};
  auto s = bus.subscribe("orders", {std::string(kOrderCreated)}, [&](const auto&) {
    inside = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    finished = true;
  });
  std::thread publisher([&] { publish(bus, {event("1", kOrderCreated)}); });
  while (!inside) std::this_thread::yield();
  s.reset();  // destroying the handle stops it
  EXPECT_TRUE(finished);
  publisher.join();
}

}  // namespace
}  // namespace ninja::events
