#pragma once
// Whether writes to the SQLite file succeed right now, and how many commits failed by cause
// (`store_write_failures_total{cause}`). The writer reports each commit; readiness asks `failing()`,
// so an instance whose disk is full leaves the load balancer's rotation until a write gets through.
#include <array>
#include <atomic>
#include <cstdint>

#include "storage/sqlite/write_failure.hpp"
#include "util/metrics.hpp"

namespace ninja::storage::sqlite {

class WriteHealth {
 public:
  // `metrics` may be null (admin commands, tests): the counts are then kept here only.
  explicit WriteHealth(util::MetricsRegistry* metrics);

  // A commit (or one write of it) failed. A full or failing disk makes writes fail until one
  // succeeds; a busy lock or a bad statement says nothing about the next write.
  void failed(WriteFailure cause);
  // A commit that changed rows is durable: the disk takes writes again.
  void wrote();

  bool failing() const { return failing_.load(std::memory_order_acquire); }
  uint64_t failures(WriteFailure cause) const { return counts_.at(index(cause)).load(); }

 private:
  static size_t index(WriteFailure cause) { return static_cast<size_t>(cause); }

  std::atomic<bool> failing_{false};
  std::array<std::atomic<uint64_t>, 4> counts_{};
  util::CounterFamily* counter_ = nullptr;
};

}  // namespace ninja::storage::sqlite
