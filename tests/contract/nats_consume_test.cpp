// PullConsumer against a real nats-server: acks, naks with delay, the AckWait after a consumer
// process dies, the MaxDeliver bound, one durable shared by two pullers, discards, slow handlers
// and stop().
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>

#include "events/nats/jetstream_publisher.hpp"
#include "events/nats/pull_consumer.hpp"
#include "nats_collector.hpp"
#include "nats_test_support.hpp"

namespace ninja::contract {
namespace {

using namespace nats_support;

class NatsConsume : public NatsTest {
 protected:
  void SetUp() override {
    NatsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    publisher = std::make_unique<nats::JetStreamPublisher>(*connection, address.stream_name(), 5s);
  }
  void TearDown() override {
    publisher.reset();
    NatsTest::TearDown();
  }

  void publish(size_t count, const std::string& tag = "m") {
    std::vector<nats::OutgoingMessage> batch;
    for (size_t i = 0; i < count; ++i) batch.push_back(order_message(address, tag + std::to_string(i)));
    ASSERT_EQ(failures(publish_all(*publisher, std::move(batch))), 0u);
  }

  // A durable with short timers, so redeliveries happen within a test's time.
  nats::ConsumerSettings quick_consumer(const std::string& name, int max_deliver = 10) {
    auto settings = consumer_settings(name);
    settings.ack_wait = 1s;
    settings.max_deliver = max_deliver;
    nats::ensure_consumer(js.get(), settings);
    return settings;
  }

  static nats::PullOptions quick_pulls() {
    nats::PullOptions options;
    options.fetch_wait = 500ms;
    options.nak_base = 200ms;
    options.nak_max = 200ms;
    options.progress_interval = 300ms;
    return options;
  }

  std::unique_ptr<nats::PullConsumer> pull(const nats::ConsumerSettings& settings, Collector& collector,
                                           nats::PullOptions options = quick_pulls(),
                                           nats::NatsConnection* on = nullptr) {
    return std::make_unique<nats::PullConsumer>(on != nullptr ? *on : *connection, settings, options,
                                                collector.handler(), quiet_logger(), "test-pull");
  }

  std::unique_ptr<nats::JetStreamPublisher> publisher;
};

TEST_F(NatsConsume, ARefusedBatchComesBackAfterTheNakDelay) {
  const auto settings = quick_consumer("refuser");
  Collector collector;
  std::atomic<int> refusals{1};
  collector.before = [&](auto&) {
    if (refusals-- > 0) throw std::runtime_error("store unavailable");
  };
  publish(3);  // before the puller starts, so its first fetch takes all three as one batch
  auto consumer = pull(settings, collector);
  ASSERT_TRUE(eventually([&] { return collector.accepted_count() == 3; }));
  for (int i = 0; i < 3; ++i) {
    const auto seen = collector.deliveries_of("m" + std::to_string(i));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].deliveries, 1u);
    EXPECT_EQ(seen[1].deliveries, 2u);
    EXPECT_GE(seen[1].at - seen[0].at, 190ms);  // the nak's delay, not at once
  }
}

TEST_F(NatsConsume, TheNakDelayDoublesPerDeliveryUpToItsMaximum) {
  const auto settings = quick_consumer("backoff");
  nats::PullOptions options;
  options.nak_base = 1000ms;
  options.nak_max = 5000ms;
  Collector collector;
  nats::PullConsumer consumer(*connection, settings, options, collector.handler(), quiet_logger(), "test-pull");
  EXPECT_EQ(consumer.nak_delay(1), 1000ms);
  EXPECT_EQ(consumer.nak_delay(2), 2000ms);
  EXPECT_EQ(consumer.nak_delay(3), 4000ms);
  EXPECT_EQ(consumer.nak_delay(4), 5000ms);
  EXPECT_EQ(consumer.nak_delay(1000), 5000ms);
}

TEST_F(NatsConsume, RedeliveriesStopAtMaxDeliver) {
  const auto settings = quick_consumer("poison", 3);
  Collector collector;
  collector.before = [](auto&) { throw std::runtime_error("always refused"); };
  auto consumer = pull(settings, collector);
  publish(1);
  ASSERT_TRUE(eventually([&] { return collector.deliveries().size() == 3; }));
  std::this_thread::sleep_for(1500ms);  // several nak delays and an AckWait more: nothing else comes
  const auto seen = collector.deliveries_of("m0");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.back().deliveries, 3u);
}

TEST_F(NatsConsume, AnUnavailableHandlerHoldsItsBatchWithoutSpendingDeliveries) {
  const auto settings = quick_consumer("holder", 2);  // AckWait 1 s, two deliveries at most
  nats::NatsConnection second_connection(address, fast_reconnect(), quiet_logger());
  Collector holder;
  Collector other;
  const auto outage_ends = std::chrono::steady_clock::now() + 2500ms;  // longer than the AckWait
  holder.before = [&](auto&) {
    if (std::chrono::steady_clock::now() < outage_ends) throw util::Unavailable("delivery store down");
  };
  auto options = quick_pulls();
  options.retry_wait = 100ms;
  options.hold_max = 200ms;
  publish(3);
  auto a = pull(settings, holder, options);
  ASSERT_TRUE(eventually([&] { return holder.calls() >= 1; }));
  auto b = pull(settings, other, options, &second_connection);
  ASSERT_TRUE(eventually([&] { return holder.accepted_count() == 3; }));
  EXPECT_GE(holder.calls(), 5);                                                         // tried again and again, here
  for (const auto& delivery : holder.deliveries()) EXPECT_EQ(delivery.deliveries, 1u);  // one delivery, held
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(other.deliveries().size(), 0u);
}

TEST_F(NatsConsume, StoppingWhileHoldingGivesTheBatchBackAtOnce) {
  auto settings = consumer_settings("giveback");
  settings.ack_wait = 10s;  // what a puller would otherwise wait for
  nats::ensure_consumer(js.get(), settings);
  Collector holder;
  holder.before = [](auto&) { throw util::Unavailable("delivery store down"); };
  publish(2);
  auto a = pull(settings, holder);
  ASSERT_TRUE(eventually([&] { return holder.calls() >= 1; }));
  const auto start = std::chrono::steady_clock::now();
  a->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  Collector next;
  auto b = pull(settings, next);
  ASSERT_TRUE(eventually([&] { return next.accepted_count() == 2; }, 3s)) << "waited for the AckWait";
  EXPECT_EQ(next.deliveries().front().deliveries, 2u);
}

TEST_F(NatsConsume, ADiscardedMessageIsNeverRedelivered) {
  const auto settings = quick_consumer("discarder");
  Collector collector;
  collector.before = [](std::vector<nats::ReceivedMessage>& batch) {
    for (auto& message : batch) {
      if (message.header("Nats-Msg-Id") == "m1") message.discard();
    }
    throw std::runtime_error("refused");  // the others come back, m1 does not
  };
  auto consumer = pull(settings, collector);
  publish(3);
  ASSERT_TRUE(eventually([&] { return collector.deliveries_of("m0").size() >= 3; }));
  EXPECT_EQ(collector.deliveries_of("m1").size(), 1u);
  EXPECT_GE(collector.deliveries_of("m2").size(), 3u);
}

TEST_F(NatsConsume, TwoPullersOnOneDurableShareTheWorkWithoutOverlap) {
  const auto settings = quick_consumer("shared");
  nats::NatsConnection second_connection(address, fast_reconnect(), quiet_logger());
  Collector first;
  Collector second;
  auto options = quick_pulls();
  options.batch = 10;
  // A little work per batch, so both pullers keep a pull request waiting.
  first.before = second.before = [](auto&) { std::this_thread::sleep_for(2ms); };
  auto a = pull(settings, first, options);
  auto b = pull(settings, second, options, &second_connection);
  publish(1000);
  ASSERT_TRUE(eventually([&] { return first.accepted_count() + second.accepted_count() == 1000; }));
  a->stop();
  b->stop();
  std::set<std::string> all = first.accepted();
  for (const auto& id : second.accepted()) EXPECT_TRUE(all.insert(id).second) << id << " went to both";
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_GT(first.accepted_count(), 0u);
  EXPECT_GT(second.accepted_count(), 0u);
  EXPECT_EQ(first.deliveries().size() + second.deliveries().size(), 1000u);  // no redelivery either
}

TEST_F(NatsConsume, ASlowHandlerKeepsItsBatchPastTheAckWait) {
  const auto settings = quick_consumer("slow");  // AckWait 1 s
  nats::NatsConnection second_connection(address, fast_reconnect(), quiet_logger());
  Collector slow;
  Collector other;
  std::atomic<bool> first_batch{true};
  slow.before = [&](auto&) {
    if (first_batch.exchange(false)) std::this_thread::sleep_for(2500ms);
  };
  publish(5);  // before the puller starts: one batch of five
  auto a = pull(settings, slow);
  ASSERT_TRUE(eventually([&] { return slow.calls() == 1; }));
  auto b = pull(settings, other, quick_pulls(), &second_connection);
  ASSERT_TRUE(eventually([&] { return slow.accepted_count() == 5; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(other.deliveries().size(), 0u) << "the batch was redelivered while its handler was still working";
}

TEST_F(NatsConsume, StopWaitsForTheHandlerAndNothingIsHandledAfterIt) {
  const auto settings = quick_consumer("stopper");
  Collector collector;
  std::atomic<bool> in_handler{false};
  collector.before = [&](auto&) {
    in_handler = true;
    std::this_thread::sleep_for(300ms);
    in_handler = false;
  };
  auto consumer = pull(settings, collector);
  publish(1, "a");
  ASSERT_TRUE(eventually([&] { return in_handler.load(); }));
  const auto start = std::chrono::steady_clock::now();
  consumer->stop();
  EXPECT_FALSE(in_handler.load());  // stop() returned only after the handler did
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
  const int calls = collector.calls();
  publish(5, "b");
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(collector.calls(), calls);
  consumer->stop();  // a second stop is harmless

  // The durable kept what arrived after the stop, for the next puller.
  Collector next;
  auto resumed = pull(settings, next);
  EXPECT_TRUE(eventually([&] { return next.accepted_count() == 5; }));
}

TEST_F(NatsConsume, StopFromInsideTheHandlerEndsTheConsumer) {
  const auto settings = quick_consumer("selfstop");
  Collector collector;
  nats::PullConsumer* self = nullptr;
  collector.before = [&](auto&) { self->stop(); };
  auto consumer = pull(settings, collector);
  self = consumer.get();
  publish(1, "a");
  ASSERT_TRUE(eventually([&] { return collector.calls() == 1; }));
  publish(3, "b");
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(collector.calls(), 1);
  consumer.reset();  // joins the ended thread
}

// The child side of the next test: a notifier process that takes a batch and dies before acking.
TEST(NatsDeadConsumerChild, DISABLED_PullsThenDies) {
  const char* url = std::getenv("NINJA_TEST_NATS_CHILD_URL");
  const char* durable = std::getenv("NINJA_TEST_NATS_CHILD_DURABLE");
  if (url == nullptr || durable == nullptr) GTEST_SKIP() << "run by NatsConsume.AConsumerProcessThatDies…";
  const auto address = nats::NatsAddress::parse(url);
  nats::NatsConnection connection(address, fast_reconnect(), quiet_logger());
  nats::ConsumerSettings settings;
  settings.stream = address.stream_name();
  settings.durable = durable;
  settings.filter_subject = address.all_subjects();
  nats::PullConsumer consumer(
      connection, settings, {}, [](auto&) { ::raise(SIGKILL); }, quiet_logger(), "child");
  std::this_thread::sleep_for(10s);
  FAIL() << "no batch arrived";
}

TEST_F(NatsConsume, AConsumerProcessThatDiesBeforeAckingHasItsBatchRedeliveredAfterTheAckWait) {
  const auto settings = quick_consumer("crashy");
  publish(10);
  const std::string child_url = "NINJA_TEST_NATS_CHILD_URL=" + with_prefix(base_url, address.prefix());
  const std::string child_durable = "NINJA_TEST_NATS_CHILD_DURABLE=" + settings.durable;
  std::vector<std::string> args{"/proc/self/exe", "--gtest_also_run_disabled_tests",
                                "--gtest_filter=NatsDeadConsumerChild.DISABLED_PullsThenDies"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env{child_url, child_durable};
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t child = -1;
  ASSERT_EQ(::posix_spawn(&child, "/proc/self/exe", nullptr, nullptr, argv.data(), envp.data()), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child did not die in its handler";

  Collector collector;
  const auto start = std::chrono::steady_clock::now();
  auto consumer = pull(settings, collector);
  ASSERT_TRUE(eventually([&] { return collector.accepted_count() == 10; }));
  for (const auto& delivery : collector.deliveries()) EXPECT_EQ(delivery.deliveries, 2u) << delivery.msg_id;
  // Redelivered once the AckWait (1 s) of the child's delivery ran out, not before.
  EXPECT_LE(std::chrono::steady_clock::now() - start, 3s);
}

}  // namespace
}  // namespace ninja::contract
