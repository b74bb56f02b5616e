// A private nats-server stopped and restarted under a publisher and a consumer: publishes fail
// with Unavailable for each event and never hang past their deadline, everything works again once
// the server is back on the same port and store, and JetStream's data survives the crash.
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "events/nats/jetstream_publisher.hpp"
#include "events/nats/pull_consumer.hpp"
#include "nats_collector.hpp"
#include "nats_test_support.hpp"

namespace ninja::contract {
namespace {

using namespace nats_support;

class NatsOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NatsServerProcess::installed()) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER("nats-server is not installed");
    server = std::make_unique<NatsServerProcess>();
    server->start();
    address = nats::NatsAddress::parse(with_prefix(server->url(), "outage"));
    connection = std::make_unique<nats::NatsConnection>(address, fast_reconnect(), quiet_logger());
    js = connection->jetstream(nullptr);
    nats::StreamSettings stream;
    stream.name = address.stream_name();
    stream.subjects = {address.all_subjects()};
    nats::ensure_stream(js.get(), stream);
    publisher = std::make_unique<nats::JetStreamPublisher>(*connection, address.stream_name(), kAckTimeout);
  }
  void TearDown() override {
    publisher.reset();
    js.reset();
    connection.reset();
    server.reset();
  }

  std::vector<std::exception_ptr> publish(size_t count, const std::string& tag) {
    std::vector<nats::OutgoingMessage> batch;
    for (size_t i = 0; i < count; ++i) batch.push_back(order_message(address, tag + std::to_string(i)));
    // Every completion within the ack deadline and a margin: no hang, whatever the server does.
    return publish_all(*publisher, std::move(batch), kAckTimeout + 2s);
  }

  static constexpr std::chrono::milliseconds kAckTimeout{1500};
  std::unique_ptr<NatsServerProcess> server;
  nats::NatsAddress address;
  std::unique_ptr<nats::NatsConnection> connection;
  nats::JetStreamHandle js;
  std::unique_ptr<nats::JetStreamPublisher> publisher;
};

TEST_F(NatsOutage, PublishesFailWithUnavailableWhileTheServerIsDownAndWorkAgainAfterItsRestart) {
  ASSERT_EQ(failures(publish(50, "before")), 0u);
  EXPECT_TRUE(connection->connected());

  server->kill(SIGKILL);
  ASSERT_TRUE(eventually([&] { return !connection->connected(); }, 5s)) << "the loss was not noticed";
  const auto start = std::chrono::steady_clock::now();
  const auto during = publish(20, "during");
  EXPECT_LT(std::chrono::steady_clock::now() - start, kAckTimeout);  // not even the ack deadline
  ASSERT_EQ(failures(during), 20u);
  for (const auto& error : during) EXPECT_THROW(std::rethrow_exception(error), util::Unavailable);

  server->start();
  ASSERT_TRUE(eventually([&] { return connection->connected(); }, 10s)) << "no reconnect";
  // JetStream may still be recovering its streams just after the reconnect: a short retry loop,
  // as the relay's next rounds would be.
  std::vector<std::exception_ptr> after;
  ASSERT_TRUE(eventually(
      [&] {
        after = publish(20, "after");
        return failures(after) == 0;
      },
      10s))
      << what(after.front());

  // What was acknowledged before the crash is still there, next to what came after.
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&info, js.get(), address.stream_name().c_str(), nullptr, nullptr), NATS_OK);
  EXPECT_EQ(info->State.Msgs, 70u);
  jsStreamInfo_Destroy(info);
}

TEST_F(NatsOutage, PublishesInFlightWhenTheServerDiesCompleteWithinTheirDeadline) {
  PublishResults results(2000);
  for (size_t i = 0; i < 2000; ++i) {
    if (i == 1000) server->kill(SIGKILL);  // half sent, many PubAcks still on their way
    publisher->publish(order_message(address, "f" + std::to_string(i)), results.completion(i));
  }
  const auto errors = results.wait(kAckTimeout + 2s);
  EXPECT_GT(failures(errors), 0u);
  for (const auto& error : errors) {
    if (error) {
      EXPECT_THROW(std::rethrow_exception(error), util::Unavailable) << what(error);
    }
  }
}

TEST_F(NatsOutage, AConsumerResumesByItselfAfterTheServerRestarts) {
  nats::ConsumerSettings settings;
  settings.stream = address.stream_name();
  settings.durable = address.durable_name("notifier");
  settings.filter_subject = address.all_subjects();
  nats::ensure_consumer(js.get(), settings);
  Collector collector;
  nats::PullOptions options;
  options.fetch_wait = 500ms;
  options.retry_wait = 100ms;
  nats::PullConsumer consumer(*connection, settings, options, collector.handler(), quiet_logger(), "test-pull");
  ASSERT_EQ(failures(publish(10, "before")), 0u);
  ASSERT_TRUE(eventually([&] { return collector.accepted_count() == 10; }));

  server->kill(SIGKILL);
  ASSERT_TRUE(eventually([&] { return !connection->connected(); }, 5s));
  server->start();
  ASSERT_TRUE(eventually([&] { return connection->connected(); }, 10s));
  ASSERT_TRUE(eventually([&] { return failures(publish(10, "after")) == 0; }, 10s));
  EXPECT_TRUE(eventually([&] { return collector.accepted_count() == 20; }, 10s))
      << "the consumer took " << collector.accepted_count() << " of 20";
}

TEST_F(NatsOutage, TheLogTellsALossAndTheRecoveryButNotOurOwnClose) {
  std::ostringstream lines;
  auto log = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
  {
    nats::NatsConnection watched(address, fast_reconnect(), log);
    server->kill(SIGKILL);
    ASSERT_TRUE(eventually([&] { return !watched.connected(); }, 5s));
    server->start();
    ASSERT_TRUE(eventually([&] { return watched.connected(); }, 10s));
    ASSERT_TRUE(eventually([&] { return lines.str().find("restored") != std::string::npos; }, 5s)) << lines.str();
  }
  std::this_thread::sleep_for(200ms);  // the library's last callbacks come after the destructor
  const std::string text = lines.str();
  const size_t lost = text.find("lost; reconnecting");
  ASSERT_NE(lost, std::string::npos) << text;
  EXPECT_EQ(text.find("lost; reconnecting", lost + 1), std::string::npos) << "our own close logged as a loss";
}

// A server that refuses our credentials after a restart makes libnats close the connection for
// good: publishes in flight then still complete (with Unavailable), none is left hanging.
TEST(NatsClosedConnection, PublishesInFlightCompleteWhenTheConnectionClosesForGood) {
  if (!NatsServerProcess::installed()) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER("nats-server is not installed");
  NatsServerProcess server;
  server.set_extra_args({"--user", "ninja", "--pass", "first"});
  const std::string port = server.url().substr(server.url().rfind(':'));
  const std::string url = "nats://ninja:first@127.0.0.1" + port;
  server.set_probe_url(url);
  server.start();
  const auto address = nats::NatsAddress::parse(url + "?prefix=closing");
  nats::NatsConnection connection(address, fast_reconnect(), quiet_logger());
  auto js = connection.jetstream(nullptr);
  nats::ensure_stream(js.get(), {address.stream_name(), {address.all_subjects()}});
  constexpr auto kAckTimeout = std::chrono::milliseconds(30000);  // far longer than the test may take
  nats::JetStreamPublisher publisher(connection, address.stream_name(), kAckTimeout);
  PublishResults results(2000);
  for (size_t i = 0; i < 2000; ++i) {
    if (i == 1000) {
      server.kill(SIGKILL);
      server.set_extra_args({"--user", "ninja", "--pass", "second"});
      server.set_probe_url("nats://ninja:second@127.0.0.1" + port);
      server.start();
    }
    publisher.publish(order_message(address, "c" + std::to_string(i)), results.completion(i));
  }
  ASSERT_TRUE(eventually([&] { return natsConnection_Status(connection.raw()) == NATS_CONN_STATUS_CLOSED; }, 10s));
  const auto errors = results.wait(5s);  // not the 30 s ack timeout
  EXPECT_GT(failures(errors), 0u);
  for (const auto& error : errors) {
    if (error) {
      EXPECT_THROW(std::rethrow_exception(error), util::Unavailable) << what(error);
    }
  }
  EXPECT_FALSE(connection.connected());
}

}  // namespace
}  // namespace ninja::contract
