#include "events/outbox_relay.hpp"

#include <spdlog/logger.h>

#include "util/thread_name.hpp"

namespace ninja::events {

OutboxRelay::OutboxRelay(Outbox& outbox, Bus& bus, util::MillisClock clock, RelayOptions options,
                         util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log)
    : outbox_(outbox),
      bus_(bus),
      clock_(std::move(clock)),
      options_(std::move(options)),
      published_(metrics.counter("outbox_events_published_total", "Outbox events published to the bus", {})),
      log_(std::move(log)) {
  metrics.gauge("outbox_lag_seconds", "Age of the oldest unpublished outbox event (0 when none)", [this] {
    const int64_t oldest = oldest_unpublished_ms_.load();
    return oldest == 0 ? 0.0 : static_cast<double>(std::max<int64_t>(clock_() - oldest, 0)) / 1000.0;
  });
}

OutboxRelay::~OutboxRelay() { stop(); }

size_t OutboxRelay::relay_once() {
  const int64_t now = clock_();
  return publish_and_mark(util::await_result<std::vector<Event>>([&](auto done) {
    const util::Lease lease{options_.owner, now, now + options_.lease.count()};
    if (options_.claim) {
      outbox_.claim(options_.batch, lease, std::move(done));
    } else {
      outbox_.peek_pending(options_.batch, lease, std::move(done));
    }
  }));
}

size_t OutboxRelay::relay_subjects(std::vector<std::string> subjects) {
  if (subjects.empty()) return 0;
  const int64_t now = clock_();
  return publish_and_mark(util::await_result<std::vector<Event>>([&](auto done) {
    outbox_.claim_subjects(std::move(subjects), {options_.owner, now, now + options_.lease.count()}, std::move(done));
  }));
}

size_t OutboxRelay::publish_and_mark(std::vector<Event> events) {
  if (events.empty()) return 0;
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const auto& event : events) ids.push_back(event.id);
  const auto results =
      util::await_result<PublishResults>([&](auto done) { bus_.publish(std::move(events), std::move(done)); });
  std::exception_ptr first_refusal;
  std::vector<std::string> accepted;
  accepted.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i < results.size() && !results[i]) {
      accepted.push_back(std::move(ids[i]));
    } else if (!first_refusal) {
      first_refusal =
          i < results.size() ? results[i] : std::make_exception_ptr(std::runtime_error("the bus gave no result"));
    }
  }
  const size_t count = accepted.size();
  if (count > 0) {
    util::await_done([&](auto done) { outbox_.mark_published(std::move(accepted), clock_(), std::move(done)); });
    published_.inc({}, count);
  }
  if (first_refusal) std::rethrow_exception(first_refusal);
  return count;
}

void OutboxRelay::refresh_lag() {
  const auto oldest =
      util::await_result<std::optional<int64_t>>([&](auto done) { outbox_.oldest_unpublished_ms(std::move(done)); });
  oldest_unpublished_ms_ = oldest.value_or(0);
}

void OutboxRelay::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  commits_ = outbox_.watch_commits([this] {
    {
      std::lock_guard lock(mutex_);
      noticed_ = true;
    }
    wake_.notify_one();
  });
  thread_ = std::thread([this] {
    util::name_this_thread("relay");
    loop();
  });
}

void OutboxRelay::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (commits_) commits_->stop();
  commits_.reset();
  // One more round publishes what the last requests committed; a larger backlog stays in the
  // outbox for the next run rather than holding up the shutdown.
  try {
    if (const size_t flushed = relay_once(); flushed > 0) log_->info("relay flushed {} events on shutdown", flushed);
  } catch (const std::exception& e) {
    log_->warn("relay flush on shutdown failed (the events stay in the outbox): {}", e.what());
  }
}

void OutboxRelay::sleep(std::chrono::milliseconds longest, bool until_notice) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, longest, [this, until_notice] { return stopping_ || (until_notice && noticed_); });
  noticed_ = false;
}

void OutboxRelay::loop() {
  auto next_lag_check = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      noticed_ = false;  // this round sees every commit that happened before it
    }
    bool more = false;
    bool failed = false;
    try {
      more = relay_once() == options_.batch;  // a full batch suggests more are waiting
    } catch (const std::exception& e) {
      log_->warn("relay round failed, retrying in {} ms: {}", options_.retry_delay.count(), e.what());
      failed = true;
    }
    // The lag matters most while rounds fail, so it is refreshed whatever the round did.
    if (const auto now = std::chrono::steady_clock::now(); now >= next_lag_check) {
      next_lag_check = now + options_.lag_refresh;
      try {
        refresh_lag();
      } catch (const std::exception& e) {
        log_->debug("outbox lag not refreshed: {}", e.what());
      }
    }
    if (failed) {
      sleep(options_.retry_delay, false);  // commits keep coming during an outage: no busy retries
    } else if (!more) {
      sleep(options_.poll, true);
    }
  }
}

}  // namespace ninja::events
