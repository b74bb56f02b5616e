#pragma once
// Throttling like a cloud API gateway: one global bucket and one bucket per client (API key id,
// or client address without auth), each optional. A client's usage plan (its API key's own rate
// and burst) replaces the per-client default for that client.
#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/token_bucket.hpp"

namespace ninja::http {

struct RateLimits {
  double rate = 0;   // global requests per second; 0: no global bucket
  double burst = 0;  // 0: the rate (at least 1)
  double per_client_rate = 0;
  double per_client_burst = 0;
};

// A client's own limits. A plan with rate 0 gives the client no bucket of its own: only the global
// bucket applies to it (the admin key's plan).
struct UsagePlan {
  double rate = 0;
  double burst = 0;
};

struct LimitDecision {
  enum class Limit { none, global, client };
  bool allowed = true;
  Limit limited_by = Limit::none;  // the refusing bucket, or the one reported when allowed
  double limit = 0;                // that bucket's burst (RateLimit-Limit)
  BucketDecision bucket;
};

class RateLimiter {
 public:
  // `max_clients` bounds the remembered per-client buckets (idle ones are forgotten first).
  explicit RateLimiter(RateLimits limits, size_t max_clients = 100000);

  bool enabled() const { return global_ || limits_.per_client_rate > 0; }
  // The global bucket is asked first; a request its client's bucket then refuses gives the global
  // token back, so a client over its own limit cannot drain the bucket everybody shares.
  LimitDecision check(std::string_view client, int64_t now_ns, std::optional<UsagePlan> plan = std::nullopt);
  size_t tracked_clients() const;

 private:
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::unique_ptr<TokenBucket>> buckets;
  };
  static constexpr size_t kShards = 16;

  void make_room(Shard& shard, int64_t now_ns) const;
  BucketDecision take_client(std::string_view client, double rate, double burst, int64_t now_ns, double& limit);

  RateLimits limits_;
  size_t max_per_shard_;
  std::unique_ptr<TokenBucket> global_;
  std::array<Shard, kShards> shards_;
};

}  // namespace ninja::http
