#pragma once
// What a cloud API gateway did in front of the original service: API-key authentication on /v1
// and throttling, answered before routing so refused requests cost next to nothing. Health,
// readiness, metrics and the OpenAPI document are never throttled or authenticated. The admin
// API (/admin/v1) is guarded by AdminAccess's rule; the admin key also passes on /v1, without a
// usage plan of its own (only the global bucket applies to it).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/admin_access.hpp"
#include "http/message.hpp"
#include "http/rate_limiter.hpp"
#include "util/metrics.hpp"

namespace ninja::http {

// The authenticated caller behind a presented API key.
struct Caller {
  std::string key_id;
  std::optional<UsagePlan> plan;  // the key's own limits, if it has any
};

// Finds the live (unrevoked) key for a presented `x-api-key` value; nullopt if there is none.
using KeyLookup = std::function<std::optional<Caller>(std::string_view presented_key)>;

struct GatewayOptions {
  bool require_api_key = false;
  RateLimits limits;
  std::optional<AdminAccess> admin;  // nullopt: this process serves no admin API (lambda)
};

// The client id of requests authenticated with the admin key (API key ids are 16 hex digits).
inline constexpr std::string_view kAdminClientId = "admin";

class Gateway {
 public:
  Gateway(GatewayOptions options, KeyLookup lookup, std::function<int64_t()> steady_now_ns,
          util::MetricsRegistry& metrics);

  // Nullopt lets the request through (with request.client_id set to the key id, or kAdminClientId,
  // when authenticated); otherwise the 401, 403 or 429 to send instead.
  std::optional<Response> admit(Request& request);

 private:
  Response throttled(const LimitDecision& decision);
  // Marks the request as the admin's: no per-client bucket, so no plan throttles the operator.
  static void admit_as_admin(Request& request, std::optional<UsagePlan>& plan);

  GatewayOptions options_;
  KeyLookup lookup_;
  std::function<int64_t()> now_ns_;
  RateLimiter limiter_;
  util::CounterFamily& rejected_;
};

}  // namespace ninja::http
