#include "http/pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "http/gateway.hpp"
#include "http/problem.hpp"
#include "util/logging.hpp"

namespace ninja::http {
namespace {

constexpr std::string_view kUnmatched = "-";

// The metric's method label: a client chooses the method, so anything outside the methods HTTP
// defines would mint a new series per request (`curl -X ZZZ1`); it is counted as "other".
std::string_view method_label(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST",  "PUT",    "PATCH",
                                                "DELETE", "OPTIONS", "TRACE", "CONNECT"};
  for (const auto known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace

bool is_acceptable_request_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

Pipeline::Pipeline(const Router& router, util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> access_log,
                   std::shared_ptr<spdlog::logger> app_log, ExceptionMapper map_exception, util::UuidV7Generator& ids,
                   Gateway* gateway)
    : router_(router),
      requests_(metrics.counter("http_requests_total", "HTTP requests by route, method and status.",
                                {"route", "method", "status"})),
      latency_(metrics.histogram("http_request_duration_seconds", "Time from request read to response ready.",
                                 {"route"}, util::latency_buckets())),
      access_log_(std::move(access_log)),
      app_log_(std::move(app_log)),
      map_exception_(std::move(map_exception)),
      ids_(ids),
      gateway_(gateway) {}

Dispatch Pipeline::dispatch(Request& request) const {
  const std::string_view incoming = request.header("x-request-id");
  request.request_id = is_acceptable_request_id(incoming) ? std::string(incoming) : ids_.next();

  Dispatch out;
  if (gateway_) {
    if (auto refused = gateway_->admit(request)) {
      out.response = std::move(refused);
      return out;
    }
  }
  auto result = router_.match(request.method, request.path);
  if (request.malformed_query && !std::holds_alternative<NotFound>(result)) {
    out.response = problem(400, "bad-query", "Bad query parameter", "the query string is not valid percent-encoding");
  } else if (auto* match = std::get_if<RouteMatch>(&result)) {
    out.route = match->route;
    out.params = std::move(match->params);
  } else if (auto* not_allowed = std::get_if<MethodNotAllowed>(&result)) {
    out.response = problem(405, "method-not-allowed", "Method not allowed",
                           request.method + " is not supported here; allowed: " + not_allowed->allow);
    out.response->with_header("Allow", not_allowed->allow);
  } else {
    out.response = problem(404, "not-found", "Not found", "no resource at this path");
  }
  return out;
}

Response Pipeline::map_failure(std::exception_ptr error, const Request& request) const noexcept {
  try {
    return map_exception_(std::move(error));
  } catch (const std::exception& e) {
    app_log_->error("{} {}: the exception mapper failed: {}", request.method, request.path, e.what());
  } catch (...) {
    app_log_->error("{} {}: the exception mapper failed", request.method, request.path);
  }
  return problem(500, "internal", "Internal error", "the request could not be completed");
}

Response Pipeline::invoke(const Dispatch& dispatch, const Request& request) const noexcept {
  try {
    return dispatch.route->handler(request, dispatch.params);
  } catch (...) {
    return map_failure(std::current_exception(), request);
  }
}

void Pipeline::invoke(const Dispatch& dispatch, const Request& request, const Respond& respond) const noexcept {
  if (!dispatch.route->async_handler) {
    respond(invoke(dispatch, request));
    return;
  }
  std::exception_ptr failure;
  try {
    dispatch.route->async_handler(request, dispatch.params, respond);
    return;
  } catch (...) {
    failure = std::current_exception();
  }
  respond(map_failure(failure, request));
}

void Pipeline::complete(const Request& request, Response& response, const Dispatch* dispatch,
                        std::chrono::steady_clock::duration elapsed) const {
  response.with_header("X-Request-Id", request.request_id);
  const std::string_view route = dispatch && dispatch->route ? std::string_view(dispatch->route->pattern) : kUnmatched;
  const std::string status = std::to_string(response.status);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  requests_.inc({route, method_label(request.method), status});
  latency_.observe({route}, seconds);
  if (response.status >= 500) {
    // Also covers failures that arrive after the handler returned (a failed group commit). A 503
    // is an expected answer while a backend is away or the process drains: a warning, not an error.
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    if (!failure_lines_.take(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()).allowed) {
      failure_lines_left_out_.fetch_add(1, std::memory_order_relaxed);
    } else {
      const uint64_t left_out = failure_lines_left_out_.exchange(0, std::memory_order_relaxed);
      app_log_->log(response.status == 503 ? spdlog::level::warn : spdlog::level::err,
                    "request {} {} {} failed with {}{}{}{}", request.request_id, request.method, request.path,
                    response.status, response.diagnostic.empty() ? "" : ": ", response.diagnostic,
                    left_out == 0 ? std::string() : fmt::format(" ({} more failed requests not logged)", left_out));
    }
  }
  if (!access_log_) return;
  std::string line = "\"msg\":\"access\",\"request_id\":";
  util::append_json_string(line, request.request_id);
  line += ",\"method\":";
  util::append_json_string(line, request.method);
  line += ",\"path\":";
  util::append_json_string(line, request.path);
  line += ",\"route\":";
  util::append_json_string(line, route);
  line += fmt::format(",\"status\":{},\"duration_ms\":{:.3f},\"bytes\":{},\"remote\":", response.status,
                      seconds * 1000.0, response.body.size());
  util::append_json_string(line, request.remote_address);
  if (!request.client_id.empty()) {
    line += ",\"api_key\":";  // the key's public id, never the key
    util::append_json_string(line, request.client_id);
  }
  access_log_->log(spdlog::level::info, spdlog::string_view_t(line));
}

}  // namespace ninja::http
