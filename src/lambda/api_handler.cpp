#include "lambda/api_handler.hpp"

#include <future>
#include <memory>

#include "http/problem.hpp"
#include "lambda/api_gateway_event.hpp"
#include "lambda/api_gateway_reply.hpp"

namespace ninja::lambda {
namespace {

// What an answer that comes late still uses: kept alive by its completion, not by this frame.
struct Pending {
  GatewayRequest decoded;
  http::Dispatch dispatch;
  std::promise<http::Response> answered;
};

}  // namespace

http::Response ApiHandler::answer(const http::Dispatch& dispatch, const http::Request& request,
                                  const Invocation& invocation) const {
  auto pending = std::make_shared<Pending>();
  pending->decoded.request = request;
  pending->dispatch = dispatch;
  auto answer = pending->answered.get_future();
  pipeline_.invoke(pending->dispatch, pending->decoded.request,
                   [pending](http::Response r) { pending->answered.set_value(std::move(r)); });
  if (invocation.deadline_ms <= 0) return answer.get();
  const auto left = std::chrono::milliseconds(invocation.deadline_ms - clock_()) - options_.deadline_margin;
  if (answer.wait_for(std::max(left, std::chrono::milliseconds(0))) == std::future_status::ready) return answer.get();
  auto late = http::problem(503, "unavailable", "Service unavailable", "a backing service is unavailable, retry later");
  late.with_header("Retry-After", "1");
  late.diagnostic = "no answer before the invocation's deadline";
  return late;
}

std::string ApiHandler::operator()(const Invocation& invocation) const {
  GatewayRequest decoded = decode_gateway_event(invocation.event);
  http::Request& request = decoded.request;
  const auto start = std::chrono::steady_clock::now();
  http::Dispatch dispatch = pipeline_.dispatch(request);
  http::Response response;
  if (request.body.size() > options_.max_body) {
    dispatch = {};  // answered before routing, as the server does (dispatch() only named the request)
    response = http::payload_too_large(options_.max_body);
  } else if (dispatch.response) {
    response = std::move(*dispatch.response);
  } else {
    response = answer(dispatch, request, invocation);
  }
  pipeline_.complete(request, response, dispatch.route ? &dispatch : nullptr, std::chrono::steady_clock::now() - start);
  return encode_gateway_response(response, decoded.format, request.method == "HEAD");
}

}  // namespace ninja::lambda
