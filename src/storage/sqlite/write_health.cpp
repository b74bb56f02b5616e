#include "storage/sqlite/write_health.hpp"

namespace ninja::storage::sqlite {

namespace {
constexpr std::array kCauses = {WriteFailure::disk_full, WriteFailure::io, WriteFailure::busy, WriteFailure::other};
}

WriteHealth::WriteHealth(util::MetricsRegistry* metrics) {
  if (metrics == nullptr) return;
  counter_ = &metrics->counter("store_write_failures_total", "store commits that failed, by cause", {"cause"});
  // Every series from the start, so a dashboard's rate() sees the first failure as a change.
  for (const auto cause : kCauses) counter_->inc({to_string(cause)}, 0);
}

void WriteHealth::failed(WriteFailure cause) {
  counts_.at(index(cause)).fetch_add(1);
  if (counter_ != nullptr) counter_->inc({to_string(cause)});
  if (cause == WriteFailure::disk_full || cause == WriteFailure::io) failing_.store(true, std::memory_order_release);
}

void WriteHealth::wrote() { failing_.store(false, std::memory_order_release); }

}  // namespace ninja::storage::sqlite
