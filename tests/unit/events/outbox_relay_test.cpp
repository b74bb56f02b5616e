// The relay against a real SQLite outbox and the in-process bus.
#include <gtest/gtest.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "events/inproc/inproc_bus.hpp"
#include "events/outbox_relay.hpp"
#include "storage/open_storage.hpp"
#include "support/blocking_ports.hpp"
#include "support/temp_dir.hpp"
#include "util/time.hpp"

namespace ninja::events {
namespace {

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest()
      : storage(storage::open_storage(
            {"sqlite:" + (dir.path() / "relay.db").string(), 2, std::chrono::seconds(10), nullptr})),
        log(std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>())) {
    subscription =
        bus.subscribe("test", {std::string(kUserCreated), std::string(kUserDeleted)}, [this](const auto& batch) {
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
    testing_support::BlockingStore(*storage.store).create_user(user, event, nullptr);
    return event.id;
  }

  // What is still unpublished (drains it: call last).
  std::vector<events::Event> unpublished() { return testing_support::BlockingOutbox(*storage.outbox).drain(); }

  // The bus got exactly the `committed` events (in any order) and nothing is left unpublished.
  void expect_all_received_and_published(std::vector<std::string> committed) {
    auto received = received_ids();
    std::sort(received.begin(), received.end());
    std::sort(committed.begin(), committed.end());
    EXPECT_EQ(received, committed);
    EXPECT_TRUE(unpublished().empty());
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

TEST_F(OutboxRelayTest, PublishesEverythingAndMarksItPublished) {
  std::vector<std::string> committed;
  for (int i = 0; i < 5; ++i) committed.push_back(commit_user());
  OutboxRelay relay(*storage.outbox, bus, util::system_millis, options(2), metrics, log);
  EXPECT_EQ(relay.relay_once(), 2U);
  EXPECT_EQ(relay.relay_once(), 2U);
  EXPECT_EQ(relay.relay_once(), 1U);
  EXPECT_EQ(relay.relay_once(), 0U);
  expect_all_received_and_published(committed);
  EXPECT_NE(metrics.render().find("outbox_events_published_total 5"), std::string::npos);
}

// With claim = false (the in-process bus) a relay reads what is pending and claims nothing: it still
// publishes each event once per round, marks it, and leaves no claim that would hold another relay off.
TEST_F(OutboxRelayTest, WithoutClaimsARelayPublishesAndMarksAndHoldsNothing) {
  std::vector<std::string> committed;
  for (int i = 0; i < 3; ++i) committed.push_back(commit_user());
  auto o = options(2);
  o.claim = false;
  OutboxRelay relay(*storage.outbox, bus, util::system_millis, o, metrics, log);
  refuse = true;  // a refused round leaves the events pending and unclaimed
  EXPECT_THROW(relay.relay_once(), std::runtime_error);
  EXPECT_EQ(testing_support::BlockingOutbox(*storage.outbox).claim(10, {"other", util::system_millis(), 0}).size(), 3U);
  refuse = false;
  EXPECT_EQ(relay.relay_once(), 2U);
  EXPECT_EQ(relay.relay_once(), 1U);
  EXPECT_EQ(relay.relay_once(), 0U);
  expect_all_received_and_published(committed);
}

TEST_F(OutboxRelayTest, ARefusedBatchStaysInTheOutboxAndIsPublishedLater) {
  const auto id = commit_user();
  OutboxRelay relay(*storage.outbox, bus, util::system_millis, options(), metrics, log);
  auto other_options = options();
  other_options.owner = "another-relay";
  OutboxRelay other(*storage.outbox, bus, util::system_millis, other_options, metrics, log);
  refuse = true;
  EXPECT_THROW(relay.relay_once(), std::runtime_error);
  EXPECT_TRUE(testing_support::BlockingOutbox(*storage.outbox).oldest_unpublished_ms().has_value());
  refuse = false;
  // Another relay must wait for the failed round's lease; the same relay takes its claim back.
  EXPECT_EQ(other.relay_once(), 0U);
  EXPECT_EQ(relay.relay_once(), 1U);
  EXPECT_EQ(received_ids(), std::vector<std::string>{id});
}

TEST_F(OutboxRelayTest, RunningRelayPublishesEachCommitWithoutPolling) {
  auto o = options();
  o.poll = std::chrono::seconds(30);  // only a commit notice can wake it in time
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
  EXPECT_TRUE(unpublished().empty());
}

// A bus that refuses the events whose subject is listed, accepting the rest of the same batch.
class PickyBus final : public Bus {
 public:
  std::set<std::string> refused_subjects;
  std::vector<std::string> accepted;

  void publish(std::vector<Event> events, util::Completion<PublishResults> done) override {
    PublishResults results;
    for (const auto& e : events) {
      if (refused_subjects.count(e.subject) > 0) {
        results.push_back(std::make_exception_ptr(std::runtime_error("no ack for " + e.id)));
      } else {
        accepted.push_back(e.id);
        results.push_back(nullptr);
      }
    }
    done(std::move(results), nullptr);
  }
  std::unique_ptr<Subscription> subscribe(std::string, std::vector<std::string>, BatchHandler) override {
    return nullptr;
  }
  bool ready() override { return true; }
  bool reaches_other_processes() const override { return true; }
};

TEST_F(OutboxRelayTest, APartialFailureRepublishesOnlyWhatFailed) {
  const auto first = commit_user();
  const auto second = commit_user();
  const auto third = commit_user();
  PickyBus picky;
  const auto events = testing_support::BlockingOutbox(*storage.outbox).claim(10, {"peek", 0, 0});  // lease ends at once
  ASSERT_EQ(events.size(), 3U);
  for (const auto& e : events) {
    if (e.id == second) picky.refused_subjects.insert(e.subject);
  }
  OutboxRelay relay(*storage.outbox, picky, util::system_millis, options(), metrics, log);
  EXPECT_THROW(relay.relay_once(), std::runtime_error);  // the refusal is reported...
  EXPECT_EQ(std::set<std::string>(picky.accepted.begin(), picky.accepted.end()), (std::set<std::string>{first, third}));
  picky.refused_subjects.clear();
  EXPECT_EQ(relay.relay_once(), 1U);  // ...and only the refused event goes again
  EXPECT_EQ(picky.accepted.size(), 3U);
  EXPECT_EQ(picky.accepted.back(), second);
  EXPECT_TRUE(unpublished().empty());
}

// The outbox without its optional commit notices, as a backend without them would be.
class SilentOutbox final : public Outbox {
 public:
  explicit SilentOutbox(Outbox& inner) : inner_(inner) {}
  void claim(size_t limit, util::Lease lease, util::Completion<std::vector<Event>> done) override {
    inner_.claim(limit, std::move(lease), std::move(done));
  }
  void mark_published(std::vector<std::string> ids, int64_t now_ms, util::Done done) override {
    inner_.mark_published(std::move(ids), now_ms, std::move(done));
  }
  void oldest_unpublished_ms(util::Completion<std::optional<int64_t>> done) override {
    inner_.oldest_unpublished_ms(std::move(done));
  }

 private:
  Outbox& inner_;
};

TEST_F(OutboxRelayTest, WithoutCommitNoticesPollingAloneDeliversEveryCommit) {
  SilentOutbox silent(*storage.outbox);
  ASSERT_EQ(silent.watch_commits([] {}), nullptr);
  auto o = options();
  o.poll = std::chrono::milliseconds(50);
  OutboxRelay relay(silent, bus, util::system_millis, o, metrics, log);
  relay.start();
  std::vector<std::string> committed;
  for (int i = 0; i < 3; ++i) committed.push_back(commit_user());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (received_ids().size() < committed.size() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  relay.stop();
  auto received = received_ids();
  std::sort(received.begin(), received.end());
  std::sort(committed.begin(), committed.end());
  EXPECT_EQ(received, committed);
}

TEST_F(OutboxRelayTest, TheLagGaugeShowsTheOldestUnpublishedEvent) {
  OutboxRelay relay(*storage.outbox, bus, util::system_millis, options(), metrics, log);
  relay.refresh_lag();
  EXPECT_NE(metrics.render().find("outbox_lag_seconds 0\n"), std::string::npos) << metrics.render();
  refuse = true;
  commit_user();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  relay.refresh_lag();
  const auto text = metrics.render();
  const auto at = text.find("\noutbox_lag_seconds ");
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_GE(std::stod(text.substr(at + 20)), 1.0) << text;
}

}  // namespace
}  // namespace ninja::events
