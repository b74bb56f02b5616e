#include "app/retention_sweep.hpp"

namespace ninja::app {

RetentionSweep::RetentionSweep(storage::Retention& retention, RetentionSweepOptions options,
                               std::function<int64_t()> now_ms, util::MetricsRegistry& metrics)
    : retention_(retention),
      options_(options),
      now_ms_(std::move(now_ms)),
      purged_(metrics.counter("retention_purged_total",
                              "outbox events and delivery records deleted by retention (--retention-days)", {"what"})) {
  purged_.inc({"events"}, 0);
  purged_.inc({"deliveries"}, 0);
}

storage::Purged RetentionSweep::run_round() {
  const auto deadline = std::chrono::steady_clock::now() + options_.round_time;
  const int64_t before_ms = now_ms_() - options_.retention_ms;
  storage::Purged total;
  for (;;) {
    const auto batch = util::await_result<storage::Purged>(
        [&](auto done) { retention_.purge_done(before_ms, options_.batch, std::move(done)); });
    total.events += batch.events;
    total.deliveries += batch.deliveries;
    purged_.inc({"events"}, batch.events);
    purged_.inc({"deliveries"}, batch.deliveries);
    if (batch.events < options_.batch || std::chrono::steady_clock::now() >= deadline) return total;
  }
}

}  // namespace ninja::app
