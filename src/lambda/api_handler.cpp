#include "lambda/api_handler.hpp"

#include <future>
#include <memory>

#include "domain/errors.hpp"
#include "http/problem.hpp"
#include "lambda/api_gateway_event.hpp"
#include "lambda/api_gateway_reply.hpp"

namespace ninja::lambda {

// A request and what answering it uses, kept alive by the handler's completion rather than by the
// invocation's frame: an answer that comes after the deadline still finds them.
struct PendingRequest {
  GatewayRequest decoded;
  http::Dispatch dispatch;
  std::promise<http::Response> answered;
};

http::Response ApiHandler::answer(const std::shared_ptr<PendingRequest>& pending, const Invocation& invocation) const {
  auto answer = pending->answered.get_future();
  pipeline_.invoke(pending->dispatch, pending->decoded.request,
                   [pending](http::Response r) { pending->answered.set_value(std::move(r)); });
  if (invocation.deadline_ms <= 0) return answer.get();
  const auto left = std::chrono::milliseconds(invocation.deadline_ms - clock_()) - options_.deadline_margin;
  if (answer.wait_for(std::max(left, std::chrono::milliseconds(0))) == std::future_status::ready) return answer.get();
  // As a store that gave up would be answered: 503 with Retry-After, through the one error mapping.
  return pipeline_.map_failure(
      std::make_exception_ptr(domain::Unavailable("no answer before the invocation's deadline")),
      pending->decoded.request);
}

std::string ApiHandler::operator()(const Invocation& invocation) const {
  auto pending = std::make_shared<PendingRequest>();
  pending->decoded = decode_gateway_event(invocation.event);
  const http::Request& request = pending->decoded.request;
  const auto start = std::chrono::steady_clock::now();
  pending->dispatch = pipeline_.dispatch(pending->decoded.request);
  http::Response response;
  if (request.body.size() > options_.max_body) {
    pending->dispatch = {};  // answered before routing, as the server does (dispatch() only named the request)
    response = http::payload_too_large(options_.max_body);
  } else if (pending->dispatch.response) {
    response = std::move(*pending->dispatch.response);
  } else {
    response = answer(pending, invocation);
  }
  const http::Dispatch* dispatch = pending->dispatch.route ? &pending->dispatch : nullptr;
  pipeline_.complete(request, response, dispatch, std::chrono::steady_clock::now() - start);
  return encode_gateway_response(response, pending->decoded.format, request.method == "HEAD");
}

}  // namespace ninja::lambda
