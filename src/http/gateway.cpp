#include "http/gateway.hpp"

#include <array>

#include "http/problem.hpp"

namespace ninja::http {
namespace {

bool is_operational(std::string_view path) {
  static constexpr std::array<std::string_view, 4> kOpen = {"/healthz", "/readyz", "/metrics", "/openapi.json"};
  for (const auto open : kOpen) {
    if (path == open) return true;
  }
  return false;
}

bool is_api(std::string_view path) { return path == "/v1" || path.starts_with("/v1/"); }

// Whole seconds, rounded up: a client that waits this long finds a token.
std::string ceil_seconds(int64_t ns) { return std::to_string((ns + 999'999'999) / 1'000'000'000); }

}  // namespace

Gateway::Gateway(GatewayOptions options, KeyLookup lookup, std::function<int64_t()> steady_now_ns,
                 util::MetricsRegistry& metrics)
    : options_(options),
      lookup_(std::move(lookup)),
      now_ns_(std::move(steady_now_ns)),
      limiter_(options.limits),
      rejected_(metrics.counter("gateway_rejected_total",
                                "Requests refused before routing, by reason (missing_key, invalid_key,"
                                " admin_key_required, admin_disabled, global_limit, client_limit)",
                                {"reason"})) {}

std::optional<Response> Gateway::admit(Request& request) {
  if (is_operational(request.path)) return std::nullopt;
  std::optional<UsagePlan> plan;
  if (options_.admin && AdminAccess::is_admin_path(request.path)) {
    const AdminVerdict verdict = options_.admin->verdict(request.header("x-api-key"));
    if (verdict != AdminVerdict::allowed) {
      rejected_.inc({verdict == AdminVerdict::key_required ? "admin_key_required" : "admin_disabled"});
      return AdminAccess::refusal(verdict);
    }
    if (options_.admin->has_key()) admit_as_admin(request, plan);  // allowed with a key: the key was right
  } else if (options_.require_api_key && is_api(request.path)) {
    const std::string_view presented = request.header("x-api-key");
    if (presented.empty()) {
      rejected_.inc({"missing_key"});
      return problem(401, "unauthorized", "Unauthorized", "this API needs an x-api-key header")
          .with_header("WWW-Authenticate", "ApiKey header=\"x-api-key\"");
    }
    if (options_.admin && options_.admin->is_admin_key(presented)) {
      admit_as_admin(request, plan);
    } else {
      auto caller = lookup_(presented);
      if (!caller) {
        rejected_.inc({"invalid_key"});
        return problem(401, "unauthorized", "Unauthorized", "the x-api-key is not valid (unknown or revoked)")
            .with_header("WWW-Authenticate", "ApiKey header=\"x-api-key\"");
      }
      request.client_id = std::move(caller->key_id);
      plan = caller->plan;
    }
  }
  if (!limiter_.enabled() && !plan) return std::nullopt;
  const std::string_view client = request.client_id.empty() ? request.remote_address : request.client_id;
  const LimitDecision decision = limiter_.check(client, now_ns_(), plan);
  if (decision.allowed) return std::nullopt;
  rejected_.inc({decision.limited_by == LimitDecision::Limit::global ? "global_limit" : "client_limit"});
  return throttled(decision);
}

void Gateway::admit_as_admin(Request& request, std::optional<UsagePlan>& plan) {
  request.client_id = std::string(kAdminClientId);
  plan = UsagePlan{0, 0};  // a plan without a rate: no per-client bucket (rate_limiter.hpp)
}

Response Gateway::throttled(const LimitDecision& decision) {
  const bool global = decision.limited_by == LimitDecision::Limit::global;
  Response response = problem(429, "too-many-requests", "Too many requests",
                              global ? "the service's request rate limit is exhausted; retry later"
                                     : "your request rate limit is exhausted; retry later");
  response.with_header("Retry-After", ceil_seconds(decision.bucket.retry_after_ns));
  response.with_header("RateLimit-Limit", std::to_string(static_cast<int64_t>(decision.limit)));
  response.with_header("RateLimit-Remaining", std::to_string(decision.bucket.remaining));
  // Reset is when the quota is non-zero again — the moment Retry-After names. Not when the bucket is
  // full: a client told "3" would wait for tokens it does not need (a request 1.1 s later passes).
  response.with_header("RateLimit-Reset", ceil_seconds(decision.bucket.retry_after_ns));
  return response;
}

}  // namespace ninja::http
