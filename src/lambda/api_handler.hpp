#pragma once
// `lambda --handler api`: each API Gateway event through the same pipeline as a request on the
// HTTP server (request id, gateway, router, handlers, error mapping, metrics, access log), and
// its response back as API Gateway's response document.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "http/pipeline.hpp"
#include "lambda/invocation.hpp"
#include "util/uuid.hpp"

namespace ninja::lambda {

struct PendingRequest;  // api_handler.cpp

struct ApiHandlerOptions {
  size_t max_body = 1048576;  // as the server's --max-body: a longer body is answered 413 before routing
  // A request still waiting for the store this long before the invocation's deadline is answered
  // 503 with Retry-After: past the deadline Lambda would reset the environment and API Gateway
  // answer 502 or 504 instead.
  std::chrono::milliseconds deadline_margin{1000};
};

class ApiHandler {
 public:
  ApiHandler(const http::Pipeline& pipeline, util::MillisClock clock, ApiHandlerOptions options = {})
      : pipeline_(pipeline), clock_(std::move(clock)), options_(options) {}

  // Waits for the store (on the event loops) and returns the response document. Throws
  // InvocationError(kBadEvent) for an event that is not from API Gateway.
  std::string operator()(const Invocation& invocation) const;

 private:
  // The handler's answer, or a 503 when it has not come by the deadline (it may still commit: a
  // retry with the same Idempotency-Key is then answered from the first).
  http::Response answer(const std::shared_ptr<PendingRequest>& pending, const Invocation& invocation) const;

  const http::Pipeline& pipeline_;
  util::MillisClock clock_;
  ApiHandlerOptions options_;
};

}  // namespace ninja::lambda
