// JetStreamPublisher against a real nats-server: PubAcks, the duplicate window, the stream check,
// and the rate of pipelined batches.
#include <gtest/gtest.h>

#include <iostream>

#include "events/nats/jetstream_publisher.hpp"
#include "events/nats/pull_consumer.hpp"
#include "nats_collector.hpp"
#include "nats_test_support.hpp"

namespace ninja::contract {
namespace {

using namespace nats_support;

class NatsPublish : public NatsTest {
 protected:
  std::vector<nats::OutgoingMessage> messages(size_t count, const std::string& tag = "m") {
    std::vector<nats::OutgoingMessage> out;
    for (size_t i = 0; i < count; ++i) out.push_back(order_message(address, tag + std::to_string(i)));
    return out;
  }
};

TEST_F(NatsPublish, StoredMessagesArePubAckedThenConsumedWithTheirHeaders) {
  nats::JetStreamPublisher publisher(*connection, address.stream_name(), 5s);
  const auto errors = publish_all(publisher, messages(20));
  ASSERT_EQ(failures(errors), 0u) << what(errors.front());
  EXPECT_EQ(stream_messages(), 20u);

  const auto settings = consumer_settings("reader");
  nats::ensure_consumer(js.get(), settings);
  Collector collector;
  nats::PullConsumer consumer(*connection, settings, {}, collector.handler(), quiet_logger(), "test-pull");
  ASSERT_TRUE(eventually([&] { return collector.accepted_count() == 20; }));
  const auto received = collector.deliveries();
  ASSERT_EQ(received.size(), 20u);
  for (size_t i = 0; i < received.size(); ++i) {
    // One stream, one puller: the order of publication.
    EXPECT_EQ(received[i].msg_id, "m" + std::to_string(i));
    EXPECT_EQ(received[i].subject, address.subject("ninja.order.created"));
    EXPECT_EQ(received[i].data, R"({"id":"m)" + std::to_string(i) + R"("})");
    EXPECT_EQ(received[i].deliveries, 1u);
  }
}

TEST_F(NatsPublish, ASecondPublishWithTheSameMsgIdIsAcknowledgedButNotStored) {
  nats::JetStreamPublisher publisher(*connection, address.stream_name(), 5s);
  auto first = publish_all(publisher, messages(5));
  auto again = publish_all(publisher, messages(5));  // the relay retrying after a lost PubAck
  EXPECT_EQ(failures(first), 0u);
  EXPECT_EQ(failures(again), 0u) << what(again.front());
  EXPECT_EQ(stream_messages(), 5u);
  // A new id is a new message.
  EXPECT_EQ(failures(publish_all(publisher, messages(1, "other"))), 0u);
  EXPECT_EQ(stream_messages(), 6u);
}

TEST_F(NatsPublish, ASubjectCapturedByAnotherStreamFailsInsteadOfBeingAcknowledged) {
  // Another deployment's stream on the same server: our publisher expects its own stream.
  const auto other = nats::NatsAddress::parse(with_prefix(base_url, unique_prefix()));
  nats::ensure_stream(js.get(), stream_settings(other));
  nats::JetStreamPublisher publisher(*connection, address.stream_name(), 5s);
  const auto errors = publish_all(publisher, {order_message(other, "x")});
  js_DeleteStream(js.get(), other.stream_name().c_str(), nullptr, nullptr);
  ASSERT_NE(errors.front(), nullptr);
  EXPECT_THROW(std::rethrow_exception(errors.front()), nats::NatsError);
}

TEST_F(NatsPublish, ASubjectNoStreamCapturesIsUnavailable) {
  nats::JetStreamPublisher publisher(*connection, address.stream_name(), 5s);
  const auto errors = publish_all(publisher, {{"nobody.listens.here", "id", {}, "{}"}});
  ASSERT_NE(errors.front(), nullptr);
  EXPECT_THROW(std::rethrow_exception(errors.front()), util::Unavailable);
}

TEST_F(NatsPublish, TheDestructorWaitsForEveryCompletion) {
  PublishResults results(500);
  {
    nats::JetStreamPublisher publisher(*connection, address.stream_name(), 5s);
    auto batch = messages(500);
    for (size_t i = 0; i < batch.size(); ++i) publisher.publish(std::move(batch[i]), results.completion(i));
  }
  // Nothing left to wait for once the publisher is gone.
  const auto errors = results.wait(0ms);
  EXPECT_EQ(failures(errors), 0u);
}

TEST_F(NatsPublish, ABatchOf256IsOneRoundOfPipelinedPublishes) {
  nats::JetStreamPublisher publisher(*connection, address.stream_name(), 5s);
  constexpr size_t kBatch = 256;
  constexpr int kRounds = 40;
  std::string payload(400, 'x');  // about an OrderCreated CloudEvent
  size_t max_in_flight = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    PublishResults results(kBatch);
    for (size_t i = 0; i < kBatch; ++i) {
      auto message = order_message(address, "r" + std::to_string(round) + "-" + std::to_string(i));
      message.data = payload;
      publisher.publish(std::move(message), results.completion(i));
    }
    max_in_flight = std::max(max_in_flight, publisher.in_flight());
    ASSERT_EQ(failures(results.wait()), 0u);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = kBatch * kRounds / seconds;
  std::cout << "[ measure  ] JetStream publish with PubAcks, batches of " << kBatch << ": " << static_cast<int>(rate)
            << " msgs/s (" << (seconds * 1000 / kRounds) << " ms per batch, up to " << max_in_flight << " in flight)\n";
  RecordProperty("publish_per_second", static_cast<int>(rate));
  // For comparison: the same messages one at a time, each waiting for its PubAck.
  const auto sync_start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < kBatch; ++i) {
    const std::string subject = address.subject("ninja.order.created");
    ASSERT_EQ(js_Publish(nullptr, js.get(), subject.c_str(), payload.data(), static_cast<int>(payload.size()), nullptr,
                         nullptr),
              NATS_OK);
  }
  const double sync_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sync_start).count();
  std::cout << "[ measure  ] one at a time, each awaiting its PubAck: " << static_cast<int>(kBatch / sync_seconds)
            << " msgs/s\n";
  EXPECT_EQ(stream_messages(), kBatch * kRounds + kBatch);
  // Pipelined: the publishes of a batch do not wait for each other's PubAcks.
  EXPECT_GT(max_in_flight, 1u);
}

}  // namespace
}  // namespace ninja::contract
