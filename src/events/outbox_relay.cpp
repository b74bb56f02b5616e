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
  auto events = outbox_.claim_unpublished(options_.batch, {options_.owner, now, now + options_.lease.count()});
  if (events.empty()) return 0;
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const auto& event : events) ids.push_back(event.id);
  const auto results =
      util::await_result<PublishResults>([&](auto done) { bus_.publish(std::move(events), std::move(done)); });
  // Only what the bus accepted is marked; the rest stays claimed by us, so our next round takes it
  // back at once (and, claims being one event per subject, nothing of its entity overtakes it).
  std::exception_ptr first_failure;
  std::vector<std::string> accepted;
  accepted.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i < results.size() && !results[i]) {
      accepted.push_back(std::move(ids[i]));
    } else if (!first_failure) {
      first_failure = i < results.size() ? results[i] : std::make_exception_ptr(std::runtime_error("no result"));
    }
  }
  if (!accepted.empty()) outbox_.mark_published(accepted, clock_());
  published_.inc({}, accepted.size());
  if (first_failure) std::rethrow_exception(first_failure);
  return accepted.size();
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
