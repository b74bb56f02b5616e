#pragma once
// The outbox relay (role `relay`): claims committed outbox events, publishes them to the bus in
// commit order and marks them published. It sleeps until the store signals a commit, so an event
// is on the bus within a commit's time; a claim lease lets several relays share one outbox and
// hands a crashed relay's claims to the others.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "events/bus.hpp"
#include "storage/outbox.hpp"
#include "util/metrics.hpp"
#include "util/uuid.hpp"

namespace spdlog {
class logger;
}

namespace ninja::events {

struct RelayOptions {
  std::string owner;                           // lease owner: unique per process
  size_t batch = 256;                          // events per claim
  std::chrono::milliseconds lease{5000};       // how long a claim stays ours
  std::chrono::milliseconds idle_wait{1000};   // longest sleep without a commit signal
  std::chrono::milliseconds retry_delay{500};  // pause after a failed publish
};

class OutboxRelay {
 public:
  OutboxRelay(storage::Outbox& outbox, Bus& bus, util::MillisClock clock, RelayOptions options,
              util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log);
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;
  ~OutboxRelay();  // stop()

  // One claim → publish → mark round; returns how many events were published. Throws what the
  // bus or the outbox threw (the claim then lapses and the events are published again later).
  size_t relay_once();

  void start();  // runs rounds on a thread until stop()
  // Stops the thread, then runs one more round (publishes what the last requests committed).
  void stop();

 private:
  void loop();

  storage::Outbox& outbox_;
  Bus& bus_;
  util::MillisClock clock_;
  RelayOptions options_;
  util::CounterFamily& published_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace ninja::events
