#pragma once
// The outbox relay (role `relay`): claims committed outbox events, publishes them to the bus and
// marks what the bus accepted as published. It polls at a bounded interval, which every backend is
// correct with, and wakes at once on a commit notice where the backend offers them (SQLite's
// writer, PostgreSQL's LISTEN/NOTIFY). Claim leases let several relays share one outbox and hand a
// crashed relay's claims to the others; a claim holds at most one event per entity, so an entity's
// events reach the bus in order.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "events/bus.hpp"
#include "events/outbox.hpp"
#include "util/metrics.hpp"
#include "util/uuid.hpp"

namespace spdlog {
class logger;
}

namespace ninja::events {

struct RelayOptions {
  std::string owner;                      // lease owner: unique per process
  size_t batch = 256;                     // events per claim
  std::chrono::milliseconds lease{5000};  // how long a claim stays ours
  // false: read pending events without claiming them (Outbox::peek_pending), for a bus whose
  // consumers record each event inside publish() and ignore a copy they have (the in-process bus).
  bool claim = true;
  std::chrono::milliseconds poll{1000};         // longest sleep without a commit notice
  std::chrono::milliseconds retry_delay{500};   // pause after a failed round
  std::chrono::milliseconds lag_refresh{1000};  // how often outbox_lag_seconds is re-read
};

class OutboxRelay {
 public:
  // Registers outbox_events_published_total and outbox_lag_seconds in `metrics`.
  OutboxRelay(Outbox& outbox, Bus& bus, util::MillisClock clock, RelayOptions options, util::MetricsRegistry& metrics,
              std::shared_ptr<spdlog::logger> log);
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;
  ~OutboxRelay();  // stop()

  // One claim → publish → mark round; returns how many events were published. When the bus
  // refused some, marks the rest and then throws the first refusal (the refused events stay
  // claimed by us and go again in our next round). Throws what the outbox threw.
  size_t relay_once();
  // The same round for the named subjects only (Outbox::claim_subjects): their oldest pending events.
  size_t relay_subjects(std::vector<std::string> subjects);
  // Re-reads the outbox lag for the gauge.
  void refresh_lag();

  void start();  // runs rounds on a thread until stop()
  // Stops the thread, then runs one more round (publishes what the last requests committed).
  void stop();

 private:
  void loop();
  // Publishes claimed events and marks what the bus accepted (see relay_once).
  size_t publish_and_mark(std::vector<Event> events);
  // Until `longest` has passed, stop(), or (if `until_notice`) a commit notice.
  void sleep(std::chrono::milliseconds longest, bool until_notice);

  Outbox& outbox_;
  Bus& bus_;
  util::MillisClock clock_;
  RelayOptions options_;
  util::CounterFamily& published_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<int64_t> oldest_unpublished_ms_{0};  // 0: none

  std::mutex mutex_;
  std::condition_variable wake_;
  bool noticed_ = false;
  bool stopping_ = false;
  std::unique_ptr<Subscription> commits_;
  std::thread thread_;
};

}  // namespace ninja::events
