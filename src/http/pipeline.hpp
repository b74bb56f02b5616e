#pragma once
// What happens to every request between the socket and the handler, independent of Beast:
// request id, the gateway (401/429), routing (404/405), running the handler with errors mapped to problems, then
// response headers, metrics and the access-log line.
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include <spdlog/logger.h>

#include "http/message.hpp"
#include "http/router.hpp"
#include "http/token_bucket.hpp"
#include "util/metrics.hpp"
#include "util/uuid.hpp"

namespace ninja::http {

class Gateway;

// Whether a client's X-Request-Id is used as the request id (1–128 visible ASCII characters);
// otherwise one is generated.
bool is_acceptable_request_id(std::string_view id);

// Turns an exception escaping a handler into a response (a problem). Supplied by api/.
using ExceptionMapper = std::function<Response(std::exception_ptr)>;

struct Dispatch {
  std::optional<Response> response;  // set when the request is answered without a handler
  const Route* route = nullptr;
  PathParams params;
};

class Pipeline {
 public:
  Pipeline(const Router& router, util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> access_log,
           std::shared_ptr<spdlog::logger> app_log, ExceptionMapper map_exception, util::UuidV7Generator& ids,
           Gateway* gateway = nullptr);

  // On the I/O thread: assigns the request id, asks the gateway (auth, throttling) and routes.
  Dispatch dispatch(Request& request) const;
  // Runs a synchronous handler (route->handler); never throws (errors become problems).
  Response invoke(const Dispatch& dispatch, const Request& request) const noexcept;
  // Runs either kind of handler; `respond` gets the response, now or later, exactly once.
  void invoke(const Dispatch& dispatch, const Request& request, const Respond& respond) const noexcept;
  // Adds X-Request-Id, counts and logs. `route` labels metrics ("-" when no route matched).
  void complete(const Request& request, Response& response, const Dispatch* dispatch,
                std::chrono::steady_clock::duration elapsed) const;
  // The problem for a failed handler (a 5xx's cause goes to Response::diagnostic, logged by complete);
  // also for a transport that gave up waiting for one (a Lambda invocation near its deadline).
  Response map_failure(std::exception_ptr error, const Request& request) const noexcept;

 private:
  const Router& router_;
  util::CounterFamily& requests_;
  util::HistogramFamily& latency_;
  std::shared_ptr<spdlog::logger> access_log_;
  std::shared_ptr<spdlog::logger> app_log_;
  ExceptionMapper map_exception_;
  util::UuidV7Generator& ids_;
  Gateway* gateway_;
  // Failed requests are logged one line each, but an outage or a flood of refused connections
  // fails thousands per second: past 20 lines, at most 10 a second are written, and the next one
  // written says how many were left out.
  mutable TokenBucket failure_lines_{10, 20};
  mutable std::atomic<uint64_t> failure_lines_left_out_{0};
};

}  // namespace ninja::http
