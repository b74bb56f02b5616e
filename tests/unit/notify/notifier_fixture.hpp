#pragma once
// The notifier tests' fixture: a real SQLite store in a temp dir and a scripted channel standing in
// for the network (the real channels are tested against real receivers in tests/e2e).
#include <gtest/gtest.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "domain/errors.hpp"
#include "domain/representation.hpp"
#include "notify/notifier.hpp"
#include "storage/open_storage.hpp"
#include "support/blocking_ports.hpp"
#include "support/temp_dir.hpp"
#include "util/time.hpp"

namespace ninja::notify {

using domain::DeliveryStatus;

// Answers attempts from a script (then `delivered`) and records what it was asked to send. While
// held, attempts stay in flight (a slow receiver) until release(): no thread waits for them.
class ScriptedChannel final : public Channel {
 public:
  void script(std::deque<Outcome> outcomes) {
    std::lock_guard lock(mutex_);
    script_ = std::move(outcomes);
  }
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    std::vector<std::pair<Attempt, util::Completion<Attempt>>> waiting;
    {
      std::lock_guard lock(mutex_);
      held_ = false;
      waiting.swap(waiting_);
    }
    for (auto& [attempt, done] : waiting) done(attempt, nullptr);
  }
  void deliver(const Notification& n, util::Completion<Attempt> done) override {
    Attempt attempt{Outcome::delivered, ""};
    {
      std::lock_guard lock(mutex_);
      sent_.push_back(n);
      if (!script_.empty()) {
        const Outcome next = script_.front();
        script_.pop_front();
        attempt = {next, next == Outcome::retry ? "HTTP 503" : "HTTP 400"};
      }
      if (held_) {
        waiting_.emplace_back(attempt, std::move(done));
        return;
      }
    }
    done(attempt, nullptr);
  }
  std::vector<Notification> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  std::mutex mutex_;
  bool held_ = false;
  std::deque<Outcome> script_;
  std::vector<Notification> sent_;
  std::vector<std::pair<Attempt, util::Completion<Attempt>>> waiting_;
};

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest()
      : storage(storage::open_storage(
            {"sqlite:" + (dir.path() / "notify.db").string(), 4, std::chrono::seconds(10), nullptr})),
        log(std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>())) {}

  std::unique_ptr<Notifier> make_notifier(RetryPolicy retry = {10, 40, 3}, size_t concurrency = 2,
                                          size_t max_queued = 256, bool schedule = true) {
    NotifierOptions options{"notifier-under-test",         concurrency, std::chrono::milliseconds(5000),
                            std::chrono::milliseconds(50), max_queued,  schedule};
    return std::make_unique<Notifier>(
        *storage.store, *storage.deliveries, ChannelSet{webhook, log_channel}, retry, options, util::system_millis,
        [] { return 0.5; }, metrics, log);
  }

  domain::User add_user(domain::NotifyChannel channel) {
    domain::User user;
    user.id = ids.next();
    user.name = "Ada";
    user.email = user.id + "@example.com";
    user.notify_channel = channel;
    if (channel == domain::NotifyChannel::webhook) user.webhook_url = "https://hooks.example.com/x";
    const auto event = events::make_event(ids.next(), events::kUserCreated, "/v1/users", user.id, 1, "{}");
    testing_support::BlockingStore(*storage.store).create_user(user, event, nullptr);
    return user;
  }

  events::Event order_event(const std::string& user_id) {
    domain::Order order;
    order.id = ids.next();
    order.user_id = user_id;
    order.items = {{"SKU", 3, 250}};
    order.currency = "EUR";
    order.total = 750;
    order.created_at_ms = util::system_millis();
    return events::make_event(ids.next(), events::kOrderCreated, "/v1/orders", order.id, order.created_at_ms,
                              boost::json::serialize(domain::to_json(order)));
  }

  std::vector<domain::Delivery> deliveries_of(const events::Event& e) {
    return testing_support::BlockingDeliveries(*storage.deliveries).deliveries_for_order(e.subject);
  }

  // Waits until the order's delivery is final (or 10 s pass) and returns it.
  domain::Delivery final_delivery(const events::Event& e) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      const auto found = deliveries_of(e);
      if ((found.size() == 1 && found[0].is_final()) || std::chrono::steady_clock::now() > deadline) {
        EXPECT_EQ(found.size(), 1U);
        return found.empty() ? domain::Delivery{} : found[0];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  testing_support::TempDir dir;
  storage::Storage storage;
  util::MetricsRegistry metrics;
  std::shared_ptr<spdlog::logger> log;
  util::UuidV7Generator ids{util::system_millis};
  ScriptedChannel webhook;
  ScriptedChannel log_channel;
};

}  // namespace ninja::notify
