#pragma once
// The notifier (role `notifier`): turns each ninja.order.created event into one delivery record
// (deduplicated by event id) and works through the records: one attempt at a time per delivery,
// outcome recorded, retries scheduled, dead-lettered at the end. Everything it knows lives in the
// DeliveryStore, so pending retries survive restarts and several notifiers can share the work
// through claim leases.
//
// Attempts are asynchronous from end to end (the user's read, the channel, the outcome's write), so
// an attempt waiting on a slow receiver holds no thread: up to `concurrency` of them are in flight
// at once. One thread of its own looks for due retries and replays.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/store.hpp"
#include "events/event.hpp"
#include "notify/channel_set.hpp"
#include "notify/delivery_store.hpp"
#include "notify/retry_policy.hpp"
#include "util/metrics.hpp"
#include "util/uuid.hpp"

namespace spdlog {
class logger;
}

namespace ninja::notify {

// The notifier's durable consumer name on the bus: every notifier process shares its events.
inline constexpr const char* kBusConsumer = "notifier";

struct NotifierOptions {
  std::string owner;                       // lease owner: unique per process
  size_t concurrency = 64;                 // attempts in flight at once
  std::chrono::milliseconds lease{15000};  // must outlast one attempt (channel timeouts)
  std::chrono::milliseconds poll{1000};    // longest the scheduler sleeps (sees other processes' replays)
  // Backpressure: accept() waits while this many deliveries are queued, so a burst stays in the
  // durable outbox instead of in memory, and no queued delivery outlives its lease.
  size_t max_queued = 256;
  // Whether a thread of its own looks for due retries and replays. A Lambda function's notifier has
  // none: its environment is frozen between invocations (a claim taken just before a freeze would
  // lapse and be made twice), so retries run only when a scheduled call asks (run_due()).
  bool schedule = true;
};

// What a notification needs from the OrderCreated event's data (the order as GET returns it).
struct OrderFacts {
  std::string user_id;
  int64_t total = 0;
  std::string currency;
};

class Notifier {
 public:
  Notifier(domain::Store& store, DeliveryStore& deliveries, ChannelSet channels, RetryPolicy retry,
           NotifierOptions options, util::MillisClock clock, std::function<double()> random_unit,
           util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log);
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  ~Notifier();  // stop()

  // The bus handler for ninja.order.created: waits for room in the queue (backpressure), records
  // one delivery per new event in one commit and queues the new ones for an attempt. Returns once
  // recorded; throws if the store failed.
  void accept(const std::vector<events::Event>& events);

  void start();  // attempts begin; the retry scheduler's thread starts
  // Lets attempts in flight finish, hands queued ones back (their claims are released), stops.
  void stop();
  // Makes the scheduler look for due deliveries now (after a replay, say).
  void wake();

  // For a Lambda function, whose environment is frozen as soon as an invocation returns: claims the
  // due deliveries now (up to `concurrency`) and queues their attempts; returns how many.
  size_t run_due();
  // Waits until no attempt is queued or in flight (true), or until `deadline` (false).
  bool wait_idle(std::chrono::steady_clock::time_point deadline);

 private:
  // A claimed delivery waiting for its attempt, with its user when intake just loaded it (the first
  // attempt then needs no read; a retry reads the user again, who may have changed).
  struct Job {
    domain::Delivery delivery;
    std::optional<domain::User> user;
    std::optional<OrderFacts> facts;  // read at intake; a retry claimed from the store reads them again
  };

  domain::Delivery intake(const events::Event& event, const std::optional<domain::User>& user, int64_t now_ms);
  void enqueue(std::vector<Job> jobs);
  // Claims up to `limit` due deliveries and queues them; returns how many.
  size_t claim_due(size_t limit);
  // Starts queued attempts while fewer than `concurrency` are in flight.
  void pump();
  // The stages of one attempt; each ends in finished(), exactly once.
  void attempt(Job job);
  void send(domain::Delivery delivery, const std::optional<domain::User>& user, std::optional<OrderFacts> facts);
  void record(domain::Delivery delivery, std::string outcome);
  void finished();
  void schedule();
  // Accept and the scheduler run on threads of their own, so they wait for the store's answers
  // (holding their own thread, never a request's).
  std::optional<domain::User> find_user(const std::string& id);

  domain::Store& store_;
  DeliveryStore& deliveries_;
  ChannelSet channels_;
  RetryPolicy retry_;
  NotifierOptions options_;
  util::MillisClock clock_;
  std::function<double()> random_unit_;
  util::CounterFamily& outcomes_;
  util::HistogramFamily& latency_;
  std::shared_ptr<spdlog::logger> log_;

  std::mutex mutex_;
  std::condition_variable room_;      // accept() waits for the queue to drain below max_queued
  std::condition_variable idle_;      // stop() and wait_idle() wait for the attempts in flight
  std::condition_variable schedule_;  // the scheduler waits for a wake-up or its next due time
  std::deque<Job> queue_;             // claimed, not started
  size_t in_flight_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  bool wake_ = false;
  bool pumping_ = false;  // pump() is running (a completion inside it only asks for another round)
  bool pump_again_ = false;
  std::thread scheduler_;
};

}  // namespace ninja::notify
