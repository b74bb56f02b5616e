#include "events/outbox_relay.hpp"

#include <spdlog/logger.h>

#include "util/thread_name.hpp"

namespace ninja::events {

OutboxRelay::OutboxRelay(storage::Outbox& outbox, Bus& bus, util::MillisClock clock, RelayOptions options,
                         util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log)
    : outbox_(outbox),
      bus_(bus),
      clock_(std::move(clock)),
      options_(std::move(options)),
      published_(metrics.counter("outbox_events_published_total", "Outbox events published to the bus", {})),
      log_(std::move(log)) {}

OutboxRelay::~OutboxRelay() { stop(); }

size_t OutboxRelay::relay_once() {
  const int64_t now = clock_();
  const auto events = outbox_.claim_unpublished(options_.batch, {options_.owner, now, now + options_.lease.count()});
  if (events.empty()) return 0;
  bus_.publish(events);
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const auto& event : events) ids.push_back(event.id);
  outbox_.mark_published(ids, clock_());
  published_.inc({}, events.size());
  return events.size();
}

void OutboxRelay::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    util::name_this_thread("relay");
    loop();
  });
}

void OutboxRelay::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  outbox_.wake();
  thread_.join();
  // One more round publishes what the last requests committed; a larger backlog stays in the
  // outbox for the next run rather than holding up the shutdown.
  try {
    if (const size_t flushed = relay_once(); flushed > 0) log_->info("relay flushed {} events on shutdown", flushed);
  } catch (const std::exception& e) {
    log_->warn("relay flush on shutdown failed (the events stay in the outbox): {}", e.what());
  }
}

void OutboxRelay::loop() {
  while (!stopping_) {
    try {
      // A full batch suggests more are waiting: go again at once.
      if (relay_once() == options_.batch) continue;
    } catch (const std::exception& e) {
      log_->warn("relay round failed, retrying in {} ms: {}", options_.retry_delay.count(), e.what());
      std::this_thread::sleep_for(options_.retry_delay);
      continue;
    }
    outbox_.wait_for_events(options_.idle_wait);
  }
}

}  // namespace ninja::events
