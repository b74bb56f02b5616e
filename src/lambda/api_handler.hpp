#pragma once
// `lambda --handler api`: each API Gateway event through the same pipeline as a request on the
// HTTP server (request id, gateway, router, handlers, error mapping, metrics, access log), and
// its response back as API Gateway's response document.
#include <cstddef>
#include <string>

#include "http/pipeline.hpp"
#include "lambda/invocation.hpp"

namespace ninja::lambda {

class ApiHandler {
 public:
  // `max_body` as the server's --max-body: a longer body is answered 413 before routing.
  ApiHandler(const http::Pipeline& pipeline, size_t max_body) : pipeline_(pipeline), max_body_(max_body) {}

  // Waits for the store (on the event loops) and returns the response document. Throws
  // InvocationError(kBadEvent) for an event that is not from API Gateway.
  std::string operator()(const Invocation& invocation) const;

 private:
  const http::Pipeline& pipeline_;
  size_t max_body_;
};

}  // namespace ninja::lambda
