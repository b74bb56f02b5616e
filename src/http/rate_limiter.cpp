#include "http/rate_limiter.hpp"

#include <algorithm>
#include <functional>
#include <vector>

namespace ninja::http {
namespace {

double effective_burst(double rate, double burst) { return burst > 0 ? burst : std::max(1.0, rate); }

}  // namespace

RateLimiter::RateLimiter(RateLimits limits, size_t max_clients)
    : limits_(limits), max_per_shard_(std::max<size_t>(1, max_clients / kShards)) {
  if (limits_.rate > 0)
    global_ = std::make_unique<TokenBucket>(limits_.rate, effective_burst(limits_.rate, limits_.burst));
}

void RateLimiter::make_room(Shard& shard, int64_t now_ns) const {
  // Forget clients whose buckets are full: they would start full again anyway.
  std::erase_if(shard.buckets, [now_ns](const auto& entry) { return entry.second->full(now_ns); });
  if (shard.buckets.size() < max_per_shard_) return;
  // A flood of new clients (many addresses): forget the half closest to full. Freeing half keeps
  // this scan amortised O(1) per new client; the forgotten ones start over with a full bucket,
  // which the global bucket still bounds.
  std::vector<int64_t> full_at;
  full_at.reserve(shard.buckets.size());
  for (const auto& entry : shard.buckets) full_at.push_back(entry.second->full_at_ns());
  auto middle = full_at.begin() + static_cast<std::ptrdiff_t>(full_at.size() / 2);
  std::nth_element(full_at.begin(), middle, full_at.end());
  const int64_t cutoff = *middle;
  std::erase_if(shard.buckets, [cutoff](const auto& entry) { return entry.second->full_at_ns() <= cutoff; });
}

BucketDecision RateLimiter::take_client(std::string_view client, double rate, double burst, int64_t now_ns,
                                        double& limit) {
  Shard& shard = shards_[std::hash<std::string_view>{}(client) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(client));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) make_room(shard, now_ns);
    it = shard.buckets.emplace(std::string(client), std::make_unique<TokenBucket>(rate, burst)).first;
  } else if (it->second->rate() != rate || it->second->burst() != std::max(1.0, burst)) {
    it->second = std::make_unique<TokenBucket>(rate, burst);  // the key's usage plan changed
  }
  limit = it->second->burst();
  return it->second->take(now_ns);
}

LimitDecision RateLimiter::check(std::string_view client, int64_t now_ns, std::optional<UsagePlan> plan) {
  LimitDecision decision;
  if (global_) {
    decision.bucket = global_->take(now_ns);
    decision.limited_by = LimitDecision::Limit::global;
    decision.limit = global_->burst();
    decision.allowed = decision.bucket.allowed;
    if (!decision.allowed) return decision;  // the client's bucket is left untouched
  }
  const double client_rate = plan ? plan->rate : limits_.per_client_rate;
  if (client_rate > 0) {
    const double burst = effective_burst(client_rate, plan ? plan->burst : limits_.per_client_burst);
    double limit = 0;
    const BucketDecision client_decision = take_client(client, client_rate, burst, now_ns, limit);
    if (!client_decision.allowed && global_) {
      global_->refund();  // a client over its own limit must not drain the bucket everybody shares
    }
    // Report whichever bucket refused, or the one closer to refusing.
    if (!client_decision.allowed || decision.limited_by == LimitDecision::Limit::none ||
        client_decision.remaining <= decision.bucket.remaining) {
      decision.limited_by = LimitDecision::Limit::client;
      decision.limit = limit;
      decision.bucket = client_decision;
      decision.allowed = client_decision.allowed;
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
