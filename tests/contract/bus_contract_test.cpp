// The Bus contract, run on every bus backend: publish → consume with the events intact, one result
// per event, redelivery of a refused batch (by the bus itself, or by the relay republishing what
// publish() reported failed), and subscriptions that really stop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "bus_backends.hpp"
#include "util/completion.hpp"

namespace ninja::contract {
namespace {

using namespace std::chrono_literals;
using events::Event;
using nats_support::eventually;

// Records what a subscription's handler was given; `refuse` may throw to refuse a batch.
class Recorder {
 public:
  std::function<void(const std::vector<Event>&)> refuse;

  events::BatchHandler handler() {
    return [this](const std::vector<Event>& batch) {
      {
        std::lock_guard lock(mutex_);
        ++calls_;
        for (const auto& event : batch) ++offered_[event.id];
      }
      if (refuse) refuse(batch);
      std::lock_guard lock(mutex_);
      for (const auto& event : batch) {
        if (accepted_ids_.insert(event.id).second) accepted_.push_back(event);
      }
    };
  }
  std::vector<Event> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  size_t accepted_count() const {
    std::lock_guard lock(mutex_);
    return accepted_.size();
  }
  int offered(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto found = offered_.find(id);
    return found == offered_.end() ? 0 : found->second;
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Event> accepted_;
  std::set<std::string> accepted_ids_;
  std::map<std::string, int> offered_;
  int calls_ = 0;
};

Event event(const std::string& id, std::string_view type) {
  return events::make_event(id, type, "/v1/orders", "subject-" + id, 1700000000000 + id.size(),
                            R"({"id":")" + id + R"("})");
}

template <class Backend>
class BusContract : public ::testing::Test {
 protected:
  void SetUp() override {
    backend = std::make_unique<Backend>();
    if (auto why = backend->unavailable()) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(*why);
  }

  events::Bus& bus() { return backend->bus(); }

  events::PublishResults publish(std::vector<Event> events) {
    return util::await_result<events::PublishResults>(
        [&](auto done) { bus().publish(std::move(events), std::move(done)); });
  }

  // What the relay does: publish, then republish only what failed, until everything is accepted.
  void publish_until_accepted(std::vector<Event> events, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!events.empty()) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << events.size() << " events never accepted";
      const auto results = publish(events);
      ASSERT_EQ(results.size(), events.size());
      std::vector<Event> failed;
      for (size_t i = 0; i < events.size(); ++i) {
        if (results[i]) failed.push_back(events[i]);
      }
      events = std::move(failed);
      if (!events.empty()) std::this_thread::sleep_for(50ms);
    }
  }

  std::unique_ptr<Backend> backend;
};

TYPED_TEST_SUITE(BusContract, BusBackends, BusBackendName);

TYPED_TEST(BusContract, PublishReportsOneResultPerEventInOrder) {
  Recorder orders;
  auto subscription = this->bus().subscribe("orders", {std::string(events::kOrderCreated)}, orders.handler());
  const auto results = this->publish({event("a", events::kOrderCreated), event("b", events::kUserCreated),
                                      event("c", events::kOrderCreated), event("d", events::kOrderDeleted)});
  ASSERT_EQ(results.size(), 4u);
  for (const auto& result : results) EXPECT_FALSE(result);
  EXPECT_TRUE(this->publish({}).empty());
  EXPECT_TRUE(this->bus().ready());
}

TYPED_TEST(BusContract, EachSubscriberGetsTheEventsOfItsTypesIntactAndInOrder) {
  Recorder orders;
  Recorder users;
  auto a = this->bus().subscribe("orders", {std::string(events::kOrderCreated)}, orders.handler());
  auto b = this->bus().subscribe("users", {std::string(events::kUserCreated), std::string(events::kUserDeleted)},
                                 users.handler());
  std::vector<Event> published;
  for (int i = 0; i < 30; ++i) {
    const std::string_view type = i % 3 == 0   ? events::kOrderCreated
                                  : i % 3 == 1 ? events::kUserCreated
                                               : events::kUserDeleted;
    published.push_back(event("e" + std::to_string(i), type));
  }
  this->publish_until_accepted(published);
  ASSERT_TRUE(eventually([&] { return orders.accepted_count() == 10 && users.accepted_count() == 20; }))
      << orders.accepted_count() << " orders, " << users.accepted_count() << " users";
  std::vector<Event> expected_orders;
  std::vector<Event> expected_users;
  for (const auto& e : published) (e.type == events::kOrderCreated ? expected_orders : expected_users).push_back(e);
  auto same = [](const std::vector<Event>& got, const std::vector<Event>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].id, want[i].id);
      EXPECT_EQ(got[i].type, want[i].type);
      EXPECT_EQ(got[i].subject, want[i].subject);
      EXPECT_EQ(got[i].time_ms, want[i].time_ms);
      EXPECT_EQ(got[i].payload, want[i].payload);
    }
  };
  same(orders.accepted(), expected_orders);
  same(users.accepted(), expected_users);
}

TYPED_TEST(BusContract, ARefusedBatchIsOfferedAgainUntilAccepted) {
  Recorder orders;
  std::atomic<int> refusals{2};
  orders.refuse = [&](const std::vector<Event>&) {
    if (refusals-- > 0) throw std::runtime_error("delivery table unavailable");
  };
  auto subscription = this->bus().subscribe("orders", {std::string(events::kOrderCreated)}, orders.handler());
  this->publish_until_accepted({event("r1", events::kOrderCreated), event("r2", events::kOrderCreated)});
  ASSERT_TRUE(eventually([&] { return orders.accepted_count() == 2; }));
  // Nothing was lost to the refusals: each event came back after them.
  EXPECT_GE(orders.offered("r1") + orders.offered("r2"), 4);
  EXPECT_GE(orders.offered("r1"), 2);
  EXPECT_GE(orders.offered("r2"), 2);
}

TYPED_TEST(BusContract, AStoppedSubscriptionIsNeverCalledAgain) {
  Recorder orders;
  auto subscription = this->bus().subscribe("orders", {std::string(events::kOrderCreated)}, orders.handler());
  this->publish_until_accepted({event("s1", events::kOrderCreated)});
  ASSERT_TRUE(eventually([&] { return orders.accepted_count() == 1; }));
  subscription->stop();
  subscription->stop();  // idempotent
  const int calls = orders.calls();
  this->publish_until_accepted({event("s2", events::kOrderCreated), event("s3", events::kOrderCreated)});
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(orders.calls(), calls);
}

TYPED_TEST(BusContract, DestroyingTheHandleWaitsForTheBatchInProgress) {
  Recorder orders;
  std::atomic<bool> inside{false};
  std::atomic<bool> finished{false};
  orders.refuse = [&](const std::vector<Event>&) {
    inside = true;
    std::this_thread::sleep_for(200ms);
    finished = true;
  };
  auto subscription = this->bus().subscribe("orders", {std::string(events::kOrderCreated)}, orders.handler());
  // The in-process bus runs the handler inside publish(): publish from another thread.
  std::thread relay([&] { this->publish({event("w1", events::kOrderCreated)}); });
  ASSERT_TRUE(eventually([&] { return inside.load(); }));
  subscription.reset();
  EXPECT_TRUE(finished.load());
  relay.join();
}

}  // namespace
}  // namespace ninja::contract
