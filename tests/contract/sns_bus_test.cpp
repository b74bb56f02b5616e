// What the SNS + SQS bus does beyond the Bus contract, against moto: setup that can run again,
// batches of ten, partial failures, poison messages reaching the dead-letter queue, visibility
// extended while a handler runs long, a store outage that spends no receives, and per-entity order
// through refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "aws/aws_error.hpp"
#include "events/sns/event_message.hpp"
#include "sns_test_support.hpp"
#include "support/closed_port.hpp"
#include "util/unavailable.hpp"

namespace ninja::sns_support {
namespace {

using events::Event;
namespace json = boost::json;

Event event(const std::string& id, const std::string& subject, size_t payload_size = 0) {
  auto e =
      events::make_event(id, events::kOrderCreated, "/v1/orders", subject, 1700000000000, R"({"id":")" + id + "\"}");
  if (payload_size > 0) e.payload = std::string(payload_size, 'x');
  return e;
}

// The value of `key` in the <Attributes><entry><key>…</key><value>…</value></entry>… of an SNS answer.
std::optional<std::string> attribute(const std::string& xml, const std::string& key) {
  const auto at = xml.find("<key>" + key + "</key>");
  if (at == std::string::npos) return std::nullopt;
  return aws::xml_element_text(std::string_view(xml).substr(at), "value");
}

std::vector<std::string> types() { return {std::string(events::kOrderCreated)}; }

// What a handler was offered, in order, and how often.
struct Offers {
  std::mutex mutex;
  std::vector<std::string> accepted;
  std::map<std::string, int> offered;
  void offer(const std::vector<Event>& batch) {
    std::lock_guard lock(mutex);
    for (const auto& e : batch) ++offered[e.id];
  }
  void accept(const std::vector<Event>& batch) {
    std::lock_guard lock(mutex);
    for (const auto& e : batch) accepted.push_back(e.id);
  }
  int times(const std::string& id) {
    std::lock_guard lock(mutex);
    return offered[id];
  }
  size_t accepted_count() {
    std::lock_guard lock(mutex);
    return accepted.size();
  }
};

class SnsBus : public ::testing::Test {
 protected:
  void start(events::sns::SnsBusOptions options = quick_options()) {
    moto = std::make_unique<MotoBus>(std::move(options));
    if (moto->why) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(*moto->why);
    clients = std::make_unique<MotoClients>(*moto->url);
  }
  void SetUp() override { start(); }
  void TearDown() override {
    clients.reset();
    moto.reset();
  }

  events::sns::SnsBus& bus() { return *moto->bus; }
  events::PublishResults publish(std::vector<Event> events) {
    return util::await_result<events::PublishResults>(
        [&](auto done) { bus().publish(std::move(events), std::move(done)); });
  }
  std::string queue_url() { return clients->queue_url(moto->address.queue_name("notifier")); }
  std::string dead_letter_url() { return clients->queue_url(moto->address.dead_letter_queue_name("notifier")); }

  std::unique_ptr<MotoBus> moto;
  std::unique_ptr<MotoClients> clients;
};

TEST_F(SnsBus, SetupRunsAgainWithoutChangingAnythingButTheTypes) {
  const auto first = bus().prepare("notifier", types());
  const auto again = bus().prepare("notifier", types());
  EXPECT_EQ(again.url, first.url);
  EXPECT_EQ(again.dead_letter_url, first.dead_letter_url);
  EXPECT_EQ(again.subscription_arn, first.subscription_arn);
  // A second process starting on the same prefix reuses the topic.
  events::sns::SnsBus second(moto->address, quick_options(), quiet_logger());
  EXPECT_EQ(second.topic_arn(), bus().topic_arn());
  EXPECT_EQ(second.prepare("notifier", types()).subscription_arn, first.subscription_arn);

  const auto listed = clients->sns("ListSubscriptionsByTopic", {{"TopicArn", bus().topic_arn()}});
  EXPECT_EQ(events::sns::xml_members(listed, "Subscriptions").size(), 1u) << listed;
  const auto attributes = clients->queue_attributes(first.url);
  EXPECT_EQ(attributes.at("FifoQueue"), "true");
  EXPECT_EQ(json::parse(attributes.at("RedrivePolicy").as_string()),
            json::parse(R"({"deadLetterTargetArn":")" + first.dead_letter_arn + R"(","maxReceiveCount":5})"));
  EXPECT_EQ(clients->queue_attributes(first.dead_letter_url).at("FifoQueue"), "true");

  // Subscribing to more types updates the filter policy of the same subscription.
  bus().prepare("notifier", {std::string(events::kOrderCreated), std::string(events::kOrderDeleted)});
  const auto subscription = clients->sns("GetSubscriptionAttributes", {{"SubscriptionArn", first.subscription_arn}});
  EXPECT_EQ(attribute(subscription, "RawMessageDelivery"), "true") << subscription;
  const auto policy = attribute(subscription, "FilterPolicy");
  ASSERT_TRUE(policy) << subscription;
  EXPECT_EQ(json::parse(*policy), json::parse(R"({"event_type":["ninja.order.created","ninja.order.deleted"]})"));
}

// A relay that starts before any notifier (its own process) prepares the notifiers' queue through
// the port first: SNS keeps nothing for a topic without a subscribed queue.
TEST_F(SnsBus, EventsPublishedBeforeTheFirstSubscriberWaitInThePreparedQueue) {
  events::Bus& port = bus();
  port.prepare_consumer("notifier", types());
  const auto results = publish({event("e-early-1", "order-early"), event("e-early-2", "order-early")});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) EXPECT_FALSE(result);
  Offers offers;
  auto subscription = bus().subscribe("notifier", types(), [&](const std::vector<Event>& batch) {
    offers.offer(batch);
    offers.accept(batch);
  });
  ASSERT_TRUE(eventually([&] { return offers.accepted_count() == 2; })) << offers.accepted_count();
  std::lock_guard lock(offers.mutex);
  EXPECT_EQ(offers.accepted, (std::vector<std::string>{"e-early-1", "e-early-2"}));
}

TEST_F(SnsBus, TwentyFiveEventsGoOutInBatchesOfTenAndArriveInOrder) {
  Offers offers;
  auto subscription = bus().subscribe("notifier", types(), [&](const std::vector<Event>& batch) {
    offers.offer(batch);
    offers.accept(batch);
  });
  std::vector<Event> events;
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) {
    events.push_back(event("e" + std::to_string(100 + i), "order-1"));  // one entity: one FIFO group
    ids.push_back(events.back().id);
  }
  const auto results = publish(events);
  ASSERT_EQ(results.size(), 25u);
  for (const auto& result : results) EXPECT_FALSE(result);
  ASSERT_TRUE(eventually([&] { return offers.accepted_count() == 25; })) << offers.accepted_count();
  std::lock_guard lock(offers.mutex);
  EXPECT_EQ(offers.accepted, ids);
}

TEST_F(SnsBus, SnsRefusesMoreThanTenEntriesWhichIsWhyBatchesAreTen) {
  auto options = quick_options();
  options.publish.max_entries = 11;
  start(options);
  std::vector<Event> events;
  for (int i = 0; i < 11; ++i) events.push_back(event("m" + std::to_string(i), "order-" + std::to_string(i)));
  const auto results = publish(events);
  ASSERT_EQ(results.size(), 11u);
  for (const auto& result : results) {
    ASSERT_TRUE(result);
    try {
      std::rethrow_exception(result);
    } catch (const aws::AwsError& e) {
      EXPECT_EQ(e.type(), "TooManyEntriesInBatchRequest") << e.what();
    }
  }
}

TEST_F(SnsBus, OnlyTheEntriesSnsRefusedAreReportedFailedAndTheirEntityIsHeldBack) {
  auto options = quick_options();
  options.publish.max_bytes = 4 << 20;  // let the oversized message reach SNS inside a batch
  start(options);
  Offers offers;
  auto subscription = bus().subscribe("notifier", types(), [&](const std::vector<Event>& batch) {
    offers.offer(batch);
    offers.accept(batch);
  });
  std::vector<Event> events;
  for (int i = 0; i < 12; ++i) events.push_back(event("p" + std::to_string(i), "order-" + std::to_string(i)));
  events[4] = event("p4", "order-big", 262'145);  // SNS takes at most 262144 bytes
  events[11] = event("p11", "order-big");         // the same entity, in the second batch
  const auto results = publish(events);
  ASSERT_EQ(results.size(), 12u);
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(static_cast<bool>(results[i]), i == 4 || i == 11) << i;
  try {
    std::rethrow_exception(results[4]);
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.type(), "InvalidParameter") << e.what();
    EXPECT_FALSE(e.retryable());
  }
  EXPECT_THROW(std::rethrow_exception(results[11]), std::runtime_error);
  ASSERT_TRUE(eventually([&] { return offers.accepted_count() == 10; })) << offers.accepted_count();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(offers.times("p4"), 0);
  EXPECT_EQ(offers.times("p11"), 0);  // held back, not sent ahead of p4
}

TEST_F(SnsBus, APoisonMessageReachesTheDeadLetterQueueAfterMaxReceives) {
  auto options = quick_options();
  options.queue.max_receives = 2;
  start(options);
  Offers offers;
  auto subscription = bus().subscribe("notifier", types(), [&](const std::vector<Event>& batch) {
    offers.offer(batch);
    throw std::runtime_error("this event breaks the handler");
  });
  const auto poison = event("poison", "order-p");
  ASSERT_FALSE(publish({poison})[0]);
  // Not an event at all: sent straight to the queue without the event attributes.
  clients->sqs("SendMessage", {{"QueueUrl", queue_url()},
                               {"MessageBody", "garbage"},
                               {"MessageGroupId", "g"},
                               {"MessageDeduplicationId", "garbage-1"}});
  std::vector<std::string> dead;
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& message : clients->receive(dead_letter_url(), 0)) {
          dead.emplace_back(message.at("Body").as_string());
        }
        return dead.size() == 2;
      },
      15s))
      << dead.size() << " in the dead-letter queue";
  EXPECT_EQ(offers.times("poison"), 2);  // one handler call per receive, then the redrive
  std::sort(dead.begin(), dead.end());
  EXPECT_EQ(dead[0], "garbage");
  EXPECT_EQ(dead[1], poison.payload);
  EXPECT_TRUE(clients->receive(queue_url(), 0).empty());
}

TEST_F(SnsBus, ASlowHandlerKeepsItsBatchHidden) {
  auto options = quick_options();
  options.consumer.visibility = 2s;
  options.consumer.extend_every = 500ms;
  start(options);
  Offers offers;
  auto handler = [&](const std::vector<Event>& batch) {
    offers.offer(batch);
    std::this_thread::sleep_for(4500ms);  // more than twice the visibility
    offers.accept(batch);
  };
  // Two processes sharing the consumer: the second would get the batch if it became visible.
  auto first = bus().subscribe("notifier", types(), handler);
  events::sns::SnsBus other_process(moto->address, options, quiet_logger());
  auto second = other_process.subscribe("notifier", types(), handler);
  ASSERT_FALSE(publish({event("slow", "order-s")})[0]);
  ASSERT_TRUE(eventually([&] { return offers.accepted_count() == 1; }, 15s));
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(offers.times("slow"), 1);
}

TEST_F(SnsBus, AStoreOutageHoldsTheBatchWithoutSpendingReceives) {
  auto options = quick_options();
  options.queue.max_receives = 2;
  start(options);
  Offers offers;
  std::atomic<int> outage{4};
  auto subscription = bus().subscribe("notifier", types(), [&](const std::vector<Event>& batch) {
    offers.offer(batch);
    if (outage-- > 0) throw util::Unavailable("the delivery table is down");
    offers.accept(batch);
  });
  ASSERT_FALSE(publish({event("held", "order-h")})[0]);
  ASSERT_TRUE(eventually([&] { return offers.accepted_count() == 1; }));
  EXPECT_EQ(offers.times("held"), 5);  // four refusals as unavailable and the acceptance, on one receive
  EXPECT_TRUE(clients->receive(dead_letter_url(), 0).empty());
}

TEST_F(SnsBus, AnEntitysEventsKeepTheirOrderThroughRefusals) {
  Offers offers;
  std::atomic<int> refusals{2};
  auto subscription = bus().subscribe("notifier", types(), [&](const std::vector<Event>& batch) {
    offers.offer(batch);
    if (refusals-- > 0) throw std::runtime_error("refused");
    offers.accept(batch);
  });
  // Published one by one, as a relay may: every event is its own batch.
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    const auto e = event("o" + std::to_string(i), "order-" + std::to_string(i % 2));
    ids.push_back(e.id);
    ASSERT_FALSE(publish({e})[0]);
  }
  ASSERT_TRUE(eventually([&] { return offers.accepted_count() == 6; }));
  std::lock_guard lock(offers.mutex);
  std::map<std::string, std::vector<std::string>> per_entity;
  for (const auto& id : offers.accepted) per_entity[id.back() % 2 == 0 ? "even" : "odd"].push_back(id);
  EXPECT_EQ(per_entity["even"], (std::vector<std::string>{"o0", "o2", "o4"}));
  EXPECT_EQ(per_entity["odd"], (std::vector<std::string>{"o1", "o3", "o5"}));
}

// A measurement as much as a test: 300 events of 30 entities through moto, every one delivered
// once, each entity's in order. Prints the rates: moto's, not AWS's (moto's PublishBatch slows down
// as its FIFO queue's history grows, ~60 ms a call at first, with boto3 just as much).
TEST_F(SnsBus, ThreeHundredEventsOfThirtyEntitiesArriveEachEntityInOrder) {
  Offers offers;
  std::atomic<int> calls{0};
  auto subscription = bus().subscribe("notifier", types(), [&](const std::vector<Event>& batch) {
    ++calls;
    offers.offer(batch);
    offers.accept(batch);
  });
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i)
    events.push_back(event("k" + std::to_string(1000 + i), "order-" + std::to_string(i % 30)));
  const auto started = std::chrono::steady_clock::now();
  for (size_t first = 0; first < events.size(); first += 100) {  // as the relay does, in claims
    const std::vector<Event> claim(events.begin() + first, events.begin() + first + 100);
    for (const auto& result : publish(claim)) ASSERT_FALSE(result);
  }
  const auto published = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return offers.accepted_count() >= 300; }, 60s)) << offers.accepted_count();
  const auto consumed = std::chrono::steady_clock::now();
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count() + 1; };
  std::cout << "[ measured ] published 300 events in " << ms(published - started) << " ms ("
            << 300 * 1000 / ms(published - started) << "/s); all consumed " << ms(consumed - started)
            << " ms after the start, in " << calls.load() << " handler calls\n";
  std::lock_guard lock(offers.mutex);
  EXPECT_EQ(offers.accepted.size(), 300u);  // no duplicates either
  std::map<std::string, std::vector<std::string>> per_entity;
  for (const auto& id : offers.accepted) per_entity[std::to_string(std::stoi(id.substr(1)) % 30)].push_back(id);
  for (const auto& [entity, ids] : per_entity) EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << entity;
}

TEST(SnsBusStart, AnUnreachableEndpointIsUnavailable) {
  auto options = quick_options();
  const std::string url =
      "sns://us-east-1?endpoint=http://127.0.0.1:" + std::to_string(testing_support::closed_loopback_port());
  EXPECT_THROW(events::sns::SnsBus(events::sns::SnsAddress::parse(url), options, quiet_logger()), util::Unavailable);
}

}  // namespace
}  // namespace ninja::sns_support
