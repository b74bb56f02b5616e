#include "lambda/api_handler.hpp"

#include <chrono>
#include <future>

#include "http/problem.hpp"
#include "lambda/api_gateway_event.hpp"
#include "lambda/api_gateway_reply.hpp"

namespace ninja::lambda {

std::string ApiHandler::operator()(const Invocation& invocation) const {
  GatewayRequest decoded = decode_gateway_event(invocation.event);
  http::Request& request = decoded.request;
  const auto start = std::chrono::steady_clock::now();
  http::Dispatch dispatch = pipeline_.dispatch(request);
  http::Response response;
  if (request.body.size() > max_body_) {
    // As the server does, before the gateway or a route sees it (dispatch() above only named the request).
    dispatch = {};
    response = http::payload_too_large(max_body_);
  } else if (dispatch.response) {
    response = std::move(*dispatch.response);
  } else {
    // The handler answers from the store's completion, on another thread; this thread has nothing
    // else to do until then (Lambda gives an environment one invocation at a time).
    std::promise<http::Response> answered;
    auto answer = answered.get_future();
    pipeline_.invoke(dispatch, request, [&answered](http::Response r) { answered.set_value(std::move(r)); });
    response = answer.get();
  }
  pipeline_.complete(request, response, dispatch.route ? &dispatch : nullptr, std::chrono::steady_clock::now() - start);
  return encode_gateway_response(response, decoded.format, request.method == "HEAD");
}

}  // namespace ninja::lambda
