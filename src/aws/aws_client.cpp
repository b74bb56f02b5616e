#include "aws/aws_client.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

#include <future>
#include <random>
#include <unordered_set>

#include "aws/retry_backoff.hpp"
#include "aws/signed_request.hpp"

namespace ninja::aws {

namespace asio = boost::asio;

namespace {

std::exception_ptr shutting_down(const std::string& service) {
  return std::make_exception_ptr(util::Unavailable("aws: the " + service + " client is shutting down"));
}

uint64_t seed_or_random(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  return (uint64_t{device()} << 32) | device();
}

}  // namespace

// One call through its attempts. `finish` is set to null once it ran: exactly once.
struct Call {
  Call(asio::io_context& io, std::string service, Protocol protocol, std::string operation, SignedPost post)
      : service(std::move(service)),
        protocol(protocol),
        operation(std::move(operation)),
        post(std::move(post)),
        timer(io) {}
  std::string service;
  Protocol protocol;
  std::string operation;  // "GetItem", "CreateTopic": for errors and logs
  SignedPost post;        // copied into each attempt: every attempt is signed afresh
  int attempts = 0;
  asio::steady_timer timer;
  std::function<void(net::HttpExchange, std::exception_ptr)> finish;
};

struct AwsClient::State : std::enable_shared_from_this<State> {
  State(net::CurlMulti& http, AwsClientOptions options)
      : http(http),
        options(std::move(options)),
        backoff(this->options.retry.base, this->options.retry.cap, seed_or_random(this->options.seed)) {}

  net::CurlMulti& http;
  AwsClientOptions options;
  RetryBackoff backoff;
  std::unordered_set<std::shared_ptr<Call>> waiting;  // between attempts, on the loop's thread
  bool closed = false;

  void attempt(const std::shared_ptr<Call>& call) {
    ++call->attempts;
    auto transfer = signed_post(options.endpoint, options.credentials, call->post);
    http.perform(std::move(transfer),
                 [weak = weak_from_this(), call](net::HttpExchange exchange, std::exception_ptr error) {
                   auto self = weak.lock();
                   if (!self || self->closed) return complete(*call, {}, error ? error : shutting_down(call->service));
                   if (error) return complete(*call, {}, error);
                   self->answered(call, std::move(exchange));
                 });
  }

  static void complete(Call& call, net::HttpExchange exchange, std::exception_ptr error) {
    if (!call.finish) return;
    auto finish = std::move(call.finish);
    call.finish = nullptr;
    finish(std::move(exchange), std::move(error));
  }

  void answered(const std::shared_ptr<Call>& call, net::HttpExchange exchange) {
    if (exchange.responded() && exchange.status / 100 == 2) return complete(*call, std::move(exchange), nullptr);
    AwsError error = error_from(exchange, call->protocol, options.endpoint.service, call->operation);
    if (!error.retryable()) return complete(*call, {}, std::make_exception_ptr(std::move(error)));
    if (call->attempts >= options.retry.max_attempts) return give_up(*call, error);
    const auto delay = backoff.delay(call->attempts);
    if (options.log) {
      options.log->debug("aws: {} {} at {}: {}, attempt {} of {} in {} ms", options.endpoint.service, call->operation,
                         options.endpoint.host, error.type(), call->attempts + 1, options.retry.max_attempts,
                         delay.count());
    }
    waiting.insert(call);
    call->timer.expires_after(delay);
    call->timer.async_wait([weak = weak_from_this(), call](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || ec || self->closed) return;  // close() completed it
      self->waiting.erase(call);
      self->attempt(call);
    });
  }

  void give_up(Call& call, const AwsError& error) {
    std::string line = options.endpoint.service + " " + call.operation + " at " + options.endpoint.host +
                       " unavailable: " + error.type();
    if (error.status() != 0) line += " (HTTP " + std::to_string(error.status()) + ")";
    line += " after " + std::to_string(call.attempts) + (call.attempts == 1 ? " attempt" : " attempts");
    if (!error.message().empty()) line += ": " + error.message();
    if (options.log) options.log->warn("aws: {}", line);
    complete(call, {}, std::make_exception_ptr(AwsUnavailable("aws: " + line, error.type())));
  }

  void close() {
    if (closed) return;
    closed = true;
    auto stopped = std::move(waiting);
    waiting.clear();
    for (const auto& call : stopped) {
      call->timer.cancel();
      complete(*call, {}, shutting_down(options.endpoint.service));
    }
  }

  void start(std::shared_ptr<Call> call) {
    auto& io = http.io();
    if (io.get_executor().running_in_this_thread()) {
      if (closed) return complete(*call, {}, shutting_down(options.endpoint.service));
      return attempt(call);
    }
    asio::post(io, [weak = weak_from_this(), call] {
      auto self = weak.lock();
      if (!self || self->closed) return complete(*call, {}, shutting_down(call->service));
      self->attempt(call);
    });
  }
};

AwsClient::AwsClient(net::CurlMulti& http, AwsClientOptions options)
    : state_(std::make_shared<State>(http, std::move(options))) {}

AwsClient::~AwsClient() {
  auto& io = state_->http.io();
  if (io.get_executor().running_in_this_thread() || io.stopped()) {
    state_->close();
    return;
  }
  std::promise<void> closed;
  asio::post(io, [state = state_, &closed] {
    state->close();
    closed.set_value();
  });
  closed.get_future().wait();
}

const ServiceEndpoint& AwsClient::endpoint() const { return state_->options.endpoint; }

void AwsClient::call_json(std::string target, std::string body, util::Completion<boost::json::value> done) {
  const auto dot = target.rfind('.');
  std::string operation = dot == std::string::npos ? target : target.substr(dot + 1);
  SignedPost post{
      "application/x-amz-json-1.0", {"X-Amz-Target: " + target}, std::move(body), state_->options.timeout_ms};
  auto call = std::make_shared<Call>(state_->http.io(), state_->options.endpoint.service, Protocol::json, operation,
                                     std::move(post));
  call->finish = [done = std::move(done), service = state_->options.endpoint.service, operation](
                     net::HttpExchange exchange, std::exception_ptr error) {
    if (error) return done({}, error);
    if (exchange.body.empty()) return done(boost::json::object(), nullptr);
    boost::system::error_code ec;
    auto value = boost::json::parse(exchange.body, ec);
    if (ec) {
      return done({}, std::make_exception_ptr(AwsError(service, operation, "InvalidResponse",
                                                       "the answer is not JSON: " + ec.message(), exchange.status,
                                                       false, std::move(exchange.body))));
    }
    done(std::move(value), nullptr);
  };
  state_->start(std::move(call));
}

void AwsClient::call_form(std::string action, FormParams params, util::Completion<std::string> done) {
  params.insert(params.begin(), {{"Action", action}, {"Version", state_->options.query_version}});
  SignedPost post{
      "application/x-www-form-urlencoded; charset=utf-8", {}, form_body(params), state_->options.timeout_ms};
  auto call = std::make_shared<Call>(state_->http.io(), state_->options.endpoint.service, Protocol::query,
                                     std::move(action), std::move(post));
  call->finish = [done = std::move(done)](net::HttpExchange exchange, std::exception_ptr error) {
    if (error) return done({}, error);
    done(std::move(exchange.body), nullptr);
  };
  state_->start(std::move(call));
}

}  // namespace ninja::aws
