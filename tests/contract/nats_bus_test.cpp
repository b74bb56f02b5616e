// What the Bus contract cannot say for every backend, for NatsBus: names and headers on the
// server, a partial failure, outages, several processes on one durable, foreign messages,
// prefixes that keep deployments apart, and make_bus().
#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "bus_backends.hpp"
#include "events/make_bus.hpp"
#include "events/nats/event_message.hpp"
#include "nats_collector.hpp"
#include "nats_test_support.hpp"
#include "util/completion.hpp"

namespace ninja::contract {
namespace {

using namespace nats_support;
using events::Event;

Event order(const std::string& id) {
  return events::make_event(id, events::kOrderCreated, "/v1/orders", "order-" + id, 1700000000123, "{}");
}

events::PublishResults publish(events::Bus& bus, std::vector<Event> events) {
  return util::await_result<events::PublishResults>(
      [&](auto done) { bus.publish(std::move(events), std::move(done)); });
}

// Counts the events a subscription accepted, by id.
struct Accepted {
  mutable std::mutex mutex;
  std::multiset<std::string> ids;
  events::BatchHandler handler() {
    return [this](const std::vector<Event>& batch) {
      std::lock_guard lock(mutex);
      for (const auto& e : batch) ids.insert(e.id);
    };
  }
  size_t size() const {
    std::lock_guard lock(mutex);
    return ids.size();
  }
  std::multiset<std::string> all() const {
    std::lock_guard lock(mutex);
    return ids;
  }
};

class NatsBusTest : public NatsTest {
 protected:
  std::unique_ptr<events::nats::NatsBus> make_bus() {
    return std::make_unique<events::nats::NatsBus>(address, NatsBackend::quick_options(), quiet_logger());
  }
};

TEST_F(NatsBusTest, EventsGoToPrefixedSubjectsWithTheirIdAsNatsMsgId) {
  auto bus = make_bus();
  ASSERT_FALSE(publish(*bus, {order("o1")}).front());
  const auto settings = consumer_settings("raw");
  nats::ensure_consumer(js.get(), settings);
  Collector raw;
  nats::PullConsumer consumer(*connection, settings, {}, raw.handler(), quiet_logger(), "test-raw");
  ASSERT_TRUE(eventually([&] { return raw.accepted_count() == 1; }));
  const auto delivery = raw.deliveries().front();
  EXPECT_EQ(delivery.subject, address.prefix() + ".ninja.order.created");
  EXPECT_EQ(delivery.msg_id, "o1");
  EXPECT_EQ(delivery.data, order("o1").payload);
  // Republished (a relay that lost the PubAck): the stream keeps one copy.
  ASSERT_FALSE(publish(*bus, {order("o1")}).front());
  EXPECT_EQ(stream_messages(), 1u);
}

TEST_F(NatsBusTest, OnlyTheEventsThatCannotBePublishedFail) {
  auto bus = make_bus();
  Event bad_type = order("b2");
  bad_type.type = "ninja.order.*";  // a wildcard is no subject to publish on
  Event too_big = order("b3");
  too_big.payload.assign(2 * 1024 * 1024, 'x');  // over the server's max_payload (1 MB)
  const auto results = publish(*bus, {order("b1"), bad_type, too_big, order("b4")});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_FALSE(results[0]);
  EXPECT_TRUE(results[1]);
  EXPECT_TRUE(results[2]);
  EXPECT_FALSE(results[3]);
  EXPECT_EQ(stream_messages(), 2u);
}

TEST_F(NatsBusTest, TwoProcessesWithOneConsumerNameShareTheEventsWithoutOverlap) {
  auto relay = make_bus();
  auto notifier_a = make_bus();  // one bus per process, each with its own connection
  auto notifier_b = make_bus();
  Accepted a;
  Accepted b;
  auto sub_a = notifier_a->subscribe("notifier", {std::string(events::kOrderCreated)}, a.handler());
  auto sub_b = notifier_b->subscribe("notifier", {std::string(events::kOrderCreated)}, b.handler());
  std::vector<Event> batch;
  for (int i = 0; i < 256; ++i) batch.push_back(order("n" + std::to_string(i)));
  for (int round = 0; round < 4; ++round) {
    for (auto& e : batch) e.id = "n" + std::to_string(round) + "-" + e.subject;
    for (const auto& result : publish(*relay, batch)) ASSERT_FALSE(result);
  }
  ASSERT_TRUE(eventually([&] { return a.size() + b.size() == 1024; }));
  std::multiset<std::string> both = a.all();
  for (const auto& id : b.all()) both.insert(id);
  EXPECT_EQ(std::set<std::string>(both.begin(), both.end()).size(), 1024u) << "an event went to both";
}

TEST_F(NatsBusTest, AForeignMessageIsDiscardedAndTheOthersStillArrive) {
  auto bus = make_bus();
  Accepted notifier;
  auto subscription = bus->subscribe("notifier", {std::string(events::kOrderCreated)}, notifier.handler());
  nats::JetStreamPublisher raw(*connection, address.stream_name(), 5s);
  // Someone else's message on our subject: no headers, not JSON.
  ASSERT_EQ(failures(publish_all(raw, {{address.subject("ninja.order.created"), "junk", {}, "\xff\x00garbage"}})), 0u);
  ASSERT_FALSE(publish(*bus, {order("good")}).front());
  ASSERT_TRUE(eventually([&] { return notifier.size() == 1; }));
  EXPECT_EQ(*notifier.all().begin(), "good");
  // Terminated, not redelivered: nothing is left pending on the durable.
  jsConsumerInfo* info = nullptr;
  ASSERT_TRUE(eventually([&] {
    jsConsumerInfo_Destroy(info);
    info = nullptr;
    js_GetConsumerInfo(&info, js.get(), address.stream_name().c_str(), address.durable_name("notifier").c_str(),
                       nullptr, nullptr);
    return info != nullptr && info->NumAckPending == 0 && info->NumPending == 0;
  }));
  jsConsumerInfo_Destroy(info);
}

TEST_F(NatsBusTest, DeploymentsWithDifferentPrefixesDoNotSeeEachOthersEvents) {
  auto ours = make_bus();
  const auto other_address = nats::NatsAddress::parse(with_prefix(base_url, unique_prefix()));
  auto theirs = std::make_unique<events::nats::NatsBus>(other_address, NatsBackend::quick_options(), quiet_logger());
  Accepted our_notifier;
  Accepted their_notifier;
  auto a = ours->subscribe("notifier", {std::string(events::kOrderCreated)}, our_notifier.handler());
  auto b = theirs->subscribe("notifier", {std::string(events::kOrderCreated)}, their_notifier.handler());
  ASSERT_FALSE(publish(*ours, {order("mine")}).front());
  ASSERT_FALSE(publish(*theirs, {order("yours")}).front());
  ASSERT_TRUE(eventually([&] { return our_notifier.size() == 1 && their_notifier.size() == 1; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(our_notifier.all(), std::multiset<std::string>{"mine"});
  EXPECT_EQ(their_notifier.all(), std::multiset<std::string>{"yours"});
  a.reset();
  b.reset();
  theirs.reset();
  js_DeleteStream(js.get(), other_address.stream_name().c_str(), nullptr, nullptr);
}

TEST_F(NatsBusTest, ASubscriptionNeedsAConsumerNameAndTypes) {
  auto bus = make_bus();
  Accepted notifier;
  EXPECT_THROW(bus->subscribe("no.dots", {std::string(events::kOrderCreated)}, notifier.handler()),
               std::invalid_argument);
  EXPECT_THROW(bus->subscribe("notifier", {}, notifier.handler()), std::invalid_argument);
}

TEST_F(NatsBusTest, MakeBusOpensNatsUrls) {
  auto bus = events::make_bus({with_prefix(base_url, address.prefix()), 2s, quiet_logger()});
  EXPECT_TRUE(bus->ready());
  EXPECT_TRUE(bus->reaches_other_processes());
  ASSERT_FALSE(publish(*bus, {order("via-factory")}).front());
  EXPECT_EQ(stream_messages(), 1u);
}

TEST_F(NatsBusTest, TheReplicaCountReachesTheServer) {
  // A single server cannot keep three copies: the stream is refused, with the reason.
  try {
    events::make_bus({with_prefix(base_url, address.prefix()) + "&replicas=3", 2s, quiet_logger()});
    ADD_FAILURE() << "a stream of 3 replicas was created on one server";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("create stream"), std::string::npos) << e.what();
  }
  auto one = events::make_bus({with_prefix(base_url, address.prefix()) + "&replicas=1", 2s, quiet_logger()});
  EXPECT_TRUE(one->ready());
}

// Figures for the report: the relay's publish rate in batches of 256 with every PubAck awaited,
// and the rate one subscription consumes (fetch, hand over, ack) a backlog of the same events.
TEST_F(NatsBusTest, Throughput) {
  auto bus = make_bus();
  constexpr int kBatch = 256;
  constexpr int kRounds = 40;
  const auto payload = std::string(450, 'x');  // about an OrderCreated CloudEvent
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Event> batch;
    for (int i = 0; i < kBatch; ++i) {
      Event e = order("t" + std::to_string(round) + "-" + std::to_string(i));
      e.payload = payload;
      batch.push_back(std::move(e));
    }
    for (const auto& result : publish(*bus, std::move(batch))) ASSERT_FALSE(result);
  }
  const double publish_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  Accepted notifier;
  const auto consume_start = std::chrono::steady_clock::now();
  auto subscription = bus->subscribe("notifier", {std::string(events::kOrderCreated)}, notifier.handler());
  ASSERT_TRUE(eventually([&] { return notifier.size() == kBatch * kRounds; }, 60s));
  const double consume_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - consume_start).count();
  std::cout << "[ measure  ] NatsBus publish, batches of " << kBatch
            << " with PubAcks: " << static_cast<int>(kBatch * kRounds / publish_seconds) << " events/s ("
            << publish_seconds * 1000 / kRounds
            << " ms per batch); consume with acks: " << static_cast<int>(kBatch * kRounds / consume_seconds)
            << " events/s\n";
}

TEST(NatsBusStart, AnUnreachableServerIsUnavailable) {
  const std::string url = "nats://127.0.0.1:" + std::to_string(free_loopback_port());
  EXPECT_THROW(events::make_bus({url, std::chrono::milliseconds(1000), quiet_logger()}), util::Unavailable);
  EXPECT_THROW(events::make_bus({"nats://127.0.0.1:4222?color=red", std::chrono::milliseconds(1000), nullptr}),
               std::invalid_argument);
}

// Against a private server that goes away: every event fails with Unavailable at once, ready()
// turns false, and both directions work again after the restart without any help.
TEST(NatsBusOutage, PublishFailsPerEventWhileDownAndEverythingResumesAfterTheRestart) {
  if (!NatsServerProcess::installed()) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER("nats-server is not installed");
  NatsServerProcess server;
  server.start();
  const auto address = nats::NatsAddress::parse(with_prefix(server.url(), "outage"));
  events::nats::NatsBus bus(address, NatsBackend::quick_options(), quiet_logger());
  Accepted notifier;
  auto subscription = bus.subscribe("notifier", {std::string(events::kOrderCreated)}, notifier.handler());
  ASSERT_FALSE(publish(bus, {order("before")}).front());
  ASSERT_TRUE(eventually([&] { return notifier.size() == 1; }));

  server.kill(SIGKILL);
  ASSERT_TRUE(eventually([&] { return !bus.ready(); }, 5s));
  const auto results = publish(bus, {order("d1"), order("d2"), order("d3")});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) {
    ASSERT_TRUE(result);
    EXPECT_THROW(std::rethrow_exception(result), util::Unavailable);
  }

  server.start();
  ASSERT_TRUE(eventually([&] { return bus.ready(); }, 10s));
  // The relay's next rounds: republish what failed until it is accepted.
  ASSERT_TRUE(eventually(
      [&] {
        const auto again = publish(bus, {order("d1"), order("d2"), order("d3")});
        return std::none_of(again.begin(), again.end(), [](const auto& e) { return e != nullptr; });
      },
      10s));
  EXPECT_TRUE(eventually([&] { return notifier.size() == 4; }, 10s)) << notifier.size() << " of 4";
}

}  // namespace
}  // namespace ninja::contract
