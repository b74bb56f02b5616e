#include "http/rate_limiter.hpp"

#include <algorithm>
#include <functional>

namespace ninja::http {
namespace {

double effective_burst(double rate, double burst) { return burst > 0 ? burst : std::max(1.0, rate); }

}  // namespace

RateLimiter::RateLimiter(RateLimits limits, size_t max_clients)
    : limits_(limits), max_per_shard_(std::max<size_t>(1, max_clients / kShards)) {
  if (limits_.rate > 0)
    global_ = std::make_unique<TokenBucket>(limits_.rate, effective_burst(limits_.rate, limits_.burst));
}

BucketDecision RateLimiter::take_client(std::string_view client, double rate, double burst, int64_t now_ns,
                                        double& limit) {
  Shard& shard = shards_[std::hash<std::string_view>{}(client) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(client));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      // Forget clients whose buckets are full: they would start full again anyway.
      std::erase_if(shard.buckets, [now_ns](const auto& entry) { return entry.second->full(now_ns); });
    }
    it = shard.buckets.emplace(std::string(client), std::make_unique<TokenBucket>(rate, burst)).first;
  } else if (it->second->rate() != rate || it->second->burst() != std::max(1.0, burst)) {
    it->second = std::make_unique<TokenBucket>(rate, burst);  // the key's usage plan changed
  }
  limit = it->second->burst();
  return it->second->take(now_ns);
}

LimitDecision RateLimiter::check(std::string_view client, int64_t now_ns, std::optional<UsagePlan> plan) {
  LimitDecision decision;
  const double client_rate = plan ? plan->rate : limits_.per_client_rate;
  if (client_rate > 0) {
    const double burst = effective_burst(client_rate, plan ? plan->burst : limits_.per_client_burst);
    decision.limited_by = LimitDecision::Limit::client;
    decision.bucket = take_client(client, client_rate, burst, now_ns, decision.limit);
    if (!decision.bucket.allowed) {
      decision.allowed = false;
      return decision;
    }
  }
  if (global_) {
    const BucketDecision global = global_->take(now_ns);
    // Report whichever bucket is closer to refusing.
    if (!global.allowed || decision.limited_by == LimitDecision::Limit::none ||
        global.remaining < decision.bucket.remaining) {
      decision.limited_by = LimitDecision::Limit::global;
      decision.limit = global_->burst();
      decision.bucket = global;
      decision.allowed = global.allowed;
    }
  }
  return decision;
}

size_t RateLimiter::tracked_clients() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.buckets.size();
  }
  return total;
}

}  // namespace ninja::http
