// The relay against a real SQLite outbox and the in-process bus.
#include <gtest/gtest.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "events/inproc/inproc_bus.hpp"
#include "events/outbox_relay.hpp"
#include "storage/make_store.hpp"
#include "support/temp_dir.hpp"
#include "util/time.hpp"

namespace ninja::events {
namespace {

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest()
      : storage(storage::open_storage({"sqlite:" + (dir.path() / "relay.db").string(), 2})),
        log(std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>())) {
    subscription = bus.subscribe("test", {std::string(kUserCreated), std::string(kUserDeleted)}, [this](const auto& batch) {
      if (refuse) throw std::runtime_error("consumer down");
      std::lock_guard lock(mutex);
      for (const auto& e : batch) received.push_back(e.id);
    });
  }

  RelayOptions options(size_t batch = 256) {
    RelayOptions o;
    o.owner = "relay-under-test";
    o.batch = batch;
    o.lease = std::chrono::milliseconds(200);
    return o;
  }

  // Commits a user and its created event; returns the event id.
  std::string commit_user() {
    domain::User user;
    user.id = ids.next();
    user.name = "n";
    user.email = user.id + "@example.com";
    const auto event = make_event(ids.next(), kUserCreated, "/v1/users", user.id, util::system_millis(), "{}");
    storage.store->create_user(user, event, nullptr);
    return event.id;
  }

  std::vector<std::string> received_ids() {
    std::lock_guard lock(mutex);
    return received;
  }

  testing_support::TempDir dir;
  storage::Storage storage;
  InprocBus bus;
  std::unique_ptr<Subscription> subscription;
  util::MetricsRegistry metrics;
  std::shared_ptr<spdlog::logger> log;
  util::UuidV7Generator ids{util::system_millis};
  std::mutex mutex;
  std::vector<std::string> received;
  std::atomic<bool> refuse{false};
};

TEST_F(OutboxRelayTest, PublishesInCommitOrderAndMarksPublished) {
  std::vector<std::string> committed;
  for (int i = 0; i < 5; ++i) committed.push_back(commit_user());
  OutboxRelay relay(*storage.outbox, bus, util::system_millis, options(2), metrics, log);
  EXPECT_EQ(relay.relay_once(), 2U);
  EXPECT_EQ(relay.relay_once(), 2U);
  EXPECT_EQ(relay.relay_once(), 1U);
  EXPECT_EQ(relay.relay_once(), 0U);
  EXPECT_EQ(received_ids(), committed);
  EXPECT_TRUE(storage.store->unpublished_events(10).empty());
  EXPECT_NE(metrics.render().find("outbox_events_published_total 5"), std::string::npos);
}

TEST_F(OutboxRelayTest, ARefusedBatchStaysInTheOutboxAndIsPublishedLater) {
  const auto id = commit_user();
  OutboxRelay relay(*storage.outbox, bus, util::system_millis, options(), metrics, log);
  auto other_options = options();
  other_options.owner = "another-relay";
  OutboxRelay other(*storage.outbox, bus, util::system_millis, other_options, metrics, log);
  refuse = true;
  EXPECT_THROW(relay.relay_once(), std::runtime_error);
  EXPECT_EQ(storage.store->unpublished_events(10).size(), 1U);
  refuse = false;
  // Another relay must wait for the failed round's lease; the same relay takes its claim back.
  EXPECT_EQ(other.relay_once(), 0U);
  EXPECT_EQ(relay.relay_once(), 1U);
  EXPECT_EQ(received_ids(), std::vector<std::string>{id});
}

TEST_F(OutboxRelayTest, RunningRelayPublishesEachCommitWithoutPolling) {
  auto o = options();
  o.idle_wait = std::chrono::seconds(30);  // only the commit signal can wake it in time
  OutboxRelay relay(*storage.outbox, bus, util::system_millis, o, metrics, log);
  relay.start();
  std::vector<std::string> committed;
  for (int i = 0; i < 3; ++i) {
    committed.push_back(commit_user());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (received_ids().size() < committed.size() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(received_ids(), committed);
  }
  const auto start = std::chrono::steady_clock::now();
  relay.stop();  // wakes the 30 s wait at once
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(OutboxRelayTest, StopFlushesWhatIsLeft) {
  OutboxRelay relay(*storage.outbox, bus, util::system_millis, options(), metrics, log);
  refuse = true;  // the running relay cannot publish...
  relay.start();
  const auto id = commit_user();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  refuse = false;  // ...until the consumer is back, just as shutdown begins
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // the failed claim's lease ends
  relay.stop();
  EXPECT_EQ(received_ids(), std::vector<std::string>{id});
  EXPECT_TRUE(storage.store->unpublished_events(10).empty());
}

}  // namespace
}  // namespace ninja::events
