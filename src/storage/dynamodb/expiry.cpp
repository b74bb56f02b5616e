#include "storage/dynamodb/expiry.hpp"

#include <algorithm>

namespace ninja::storage::dynamodb {

Expiry expiry_for(std::chrono::milliseconds retention) {
  if (retention <= std::chrono::milliseconds::zero()) return {};
  return {retention, std::max<std::chrono::milliseconds>(retention, kRedeliveryHorizon)};
}

std::optional<int64_t> expires_at(int64_t done_ms, std::chrono::milliseconds keep) {
  if (keep <= std::chrono::milliseconds::zero()) return std::nullopt;
  const int64_t until_ms = done_ms + keep.count();
  return until_ms / 1000 + (until_ms % 1000 > 0 ? 1 : 0);
}

}  // namespace ninja::storage::dynamodb
