// The notifier's backpressure and concurrency: a full queue, attempts in flight, stopping, and the
// notifier of a Lambda function, which has no scheduler thread and runs its retries when asked.
#include <gtest/gtest.h>

#include "unit/notify/notifier_fixture.hpp"

namespace ninja::notify {
namespace {

TEST_F(NotifierTest, AcceptWaitsWhileTheQueueIsFull) {
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto first = order_event(user.id);
  const auto second = order_event(user.id);
  const auto third = order_event(user.id);
  auto notifier = make_notifier({10, 40, 3}, 1, 1);
  webhook.hold();
  notifier->start();
  notifier->accept({first});  // the only attempt slot takes it and waits on the receiver
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (webhook.sent().empty() && deliveries_of(first).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  notifier->accept({second});  // queued: the queue is now full
  std::atomic<bool> accepted{false};
  std::thread relay([&] {
    notifier->accept({third});
    accepted = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(accepted.load()) << "accept() did not wait for room";
  EXPECT_TRUE(deliveries_of(third).empty()) << "recorded before there was room";
  webhook.release();
  relay.join();
  EXPECT_TRUE(accepted.load());
  for (const auto& event : {first, second, third}) EXPECT_EQ(final_delivery(event).status, DeliveryStatus::delivered);
  EXPECT_EQ(webhook.sent().size(), 3U);
}

TEST_F(NotifierTest, AttemptsUpToTheConcurrencyAreInFlightAtOnce) {
  const auto user = add_user(domain::NotifyChannel::webhook);
  std::vector<events::Event> orders;
  for (int i = 0; i < 5; ++i) orders.push_back(order_event(user.id));
  auto notifier = make_notifier({10, 40, 3}, 3);
  webhook.hold();
  notifier->start();
  notifier->accept(orders);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (webhook.sent().size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Three receivers are waited on at once (no thread each), the other two wait for a slot.
  EXPECT_EQ(webhook.sent().size(), 3U);
  webhook.release();
  for (const auto& event : orders) EXPECT_EQ(final_delivery(event).status, DeliveryStatus::delivered);
  EXPECT_EQ(webhook.sent().size(), 5U);
}

TEST_F(NotifierTest, StopWaitsForTheAttemptsInFlight) {
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto event = order_event(user.id);
  auto notifier = make_notifier();
  webhook.hold();
  notifier->start();
  notifier->accept({event});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (webhook.sent().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::atomic<bool> stopped{false};
  std::thread stopping([&] {
    notifier->stop();
    stopped = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(stopped.load()) << "stop() returned while an attempt was in flight";
  webhook.release();
  stopping.join();
  EXPECT_EQ(final_delivery(event).status, DeliveryStatus::delivered);  // its outcome was recorded
}

TEST_F(NotifierTest, WithoutASchedulerRetriesRunOnlyWhenAsked) {
  webhook.script({Outcome::retry});  // the first attempt fails; retry policy: 10 ms, then due
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto event = order_event(user.id);
  auto notifier = make_notifier({10, 40, 3}, 2, 256, /*schedule=*/false);
  notifier->start();
  notifier->accept({event});
  ASSERT_TRUE(notifier->wait_idle(std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // long past its due time
  EXPECT_EQ(webhook.sent().size(), 1U) << "retried without being asked";
  EXPECT_EQ(deliveries_of(event).at(0).status, DeliveryStatus::failed);

  EXPECT_EQ(notifier->run_due(), 1U);
  ASSERT_TRUE(notifier->wait_idle(std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  EXPECT_EQ(webhook.sent().size(), 2U);
  EXPECT_EQ(deliveries_of(event).at(0).status, DeliveryStatus::delivered);
  EXPECT_EQ(notifier->run_due(), 0U);  // nothing is due any more
  notifier->stop();
}

}  // namespace
}  // namespace ninja::notify
