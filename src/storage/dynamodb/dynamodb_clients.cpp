#include "storage/dynamodb/dynamodb_clients.hpp"

#include <boost/json/serialize.hpp>

#include "net/curl_handle.hpp"
#include "net/curl_multi.hpp"
#include "net/event_loops.hpp"
#include "util/unavailable.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

constexpr const char* kTargetPrefix = "DynamoDB_20120810.";

net::EventLoops& loops_or_own(net::EventLoops* given, std::unique_ptr<net::EventLoops>& own) {
  if (given != nullptr) return *given;
  own = std::make_unique<net::EventLoops>(1, "dynamodb");
  return *own;
}

}  // namespace

struct DynamoDbClients::Loop {
  Loop(boost::asio::io_context& io, const net::CurlMultiOptions& http_options, aws::AwsClientOptions options)
      : http(io, http_options), client(std::make_unique<aws::AwsClient>(http, std::move(options))) {}
  net::CurlMulti http;
  std::unique_ptr<aws::AwsClient> client;
};

DynamoDbClients::DynamoDbClients(ClientsOptions options)
    : endpoint_(options.endpoint),
      curl_(std::make_unique<net::CurlRuntime>()),
      loops_(loops_or_own(options.loops, own_loops_)) {
  for (size_t i = 0; i < loops_.size(); ++i) {
    aws::AwsClientOptions client;
    client.endpoint = options.endpoint;
    client.credentials = options.credentials;
    client.timeout_ms = static_cast<long>(options.timeout.count());
    client.retry = options.retry;
    client.log = options.log;
    clients_.push_back(std::make_unique<Loop>(loops_.context(i), options.http, std::move(client)));
  }
}

DynamoDbClients::~DynamoDbClients() {
  closing_ = true;
  // One loop at a time, the vector itself intact: a completion that runs now and calls again
  // finds closing_ set and fails at once instead of touching a client that is going.
  for (auto& loop : clients_) {
    loop->client.reset();
    loop->http.shutdown();
  }
  if (own_loops_) own_loops_->stop();
  clients_.clear();
}

void DynamoDbClients::call(std::string_view operation, const json::object& body, util::Completion<json::object> done) {
  if (closing_) {
    return done({}, std::make_exception_ptr(util::Unavailable("dynamodb: the store is shutting down")));
  }
  const auto current = loops_.current();
  const size_t index = current ? *current : next_.fetch_add(1, std::memory_order_relaxed) % clients_.size();
  clients_[index]->client->call_json(
      kTargetPrefix + std::string(operation), json::serialize(body),
      [done = std::move(done)](json::value answer, std::exception_ptr error) {
        if (error) return done({}, error);
        if (!answer.is_object()) {
          return done({}, std::make_exception_ptr(std::runtime_error("dynamodb: the answer is not a JSON object")));
        }
        done(std::move(answer.get_object()), nullptr);
      });
}

json::object DynamoDbClients::call_blocking(std::string_view operation, const json::object& body) {
  return util::await_result<json::object>([&](auto done) { call(operation, body, std::move(done)); });
}

}  // namespace ninja::storage::dynamodb
