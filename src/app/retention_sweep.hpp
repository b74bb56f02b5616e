#pragma once
// Keeps the outbox and the delivery records bounded (--retention-days): a periodic task calls
// run_round(), which purges done events older than the retention (storage::Retention) in small
// batches, one after the other, until a batch comes back short (caught up) or the round's time is
// spent. A batch is one short transaction, so the store's single writer (SQLite) serves the orders
// queued behind it within a batch's time; the next round picks up where a busy one stopped.
#include <chrono>
#include <cstdint>
#include <functional>

#include "storage/retention.hpp"
#include "util/metrics.hpp"

namespace ninja::app {

struct RetentionSweepOptions {
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // keep done events this long (> 0)
  size_t batch = 1000;                            // events per transaction
  std::chrono::milliseconds round_time{2000};     // a round stops starting batches after this
};

class RetentionSweep {
 public:
  RetentionSweep(storage::Retention& retention, RetentionSweepOptions options, std::function<int64_t()> now_ms,
                 util::MetricsRegistry& metrics);

  // Purges until caught up or out of time (blocks: the periodic task's thread). Answers what went.
  storage::Purged run_round();

 private:
  storage::Retention& retention_;
  const RetentionSweepOptions options_;
  std::function<int64_t()> now_ms_;
  util::CounterFamily& purged_;
};

}  // namespace ninja::app
