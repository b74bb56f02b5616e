#pragma once
// Operational endpoints: liveness, readiness, Prometheus metrics and the OpenAPI document.
#include <atomic>
#include <string_view>

#include "domain/store.hpp"
#include "events/bus.hpp"
#include "http/router.hpp"
#include "util/metrics.hpp"

namespace ninja::api {

// The OpenAPI document (src/api/openapi.json, embedded at build time).
std::string_view openapi_document();

// /healthz, /readyz, /openapi.json, and /metrics when `metrics` is given (a Lambda function has no
// scraper: its metrics are CloudWatch's, and its registry would only show one environment's share).
void add_ops_routes(http::Router& router, const util::MetricsRegistry* metrics, domain::Store& store,
                    const std::atomic<bool>& draining, events::Bus* bus = nullptr);

}  // namespace ninja::api
