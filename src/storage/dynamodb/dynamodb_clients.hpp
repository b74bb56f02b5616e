#pragma once
// The DynamoDB backend's way to the service: one AwsClient (with its CurlMulti: keep-alive
// connections, no thread per call) on each event loop of the process, as the PostgreSQL pool
// spreads its connections. A call made on loop i goes out on loop i's client and completes on that
// thread, so an HTTP request is read, sent, answered and written on one thread; a call from any
// other thread (relay, tools, tests) goes to the next loop in turn. Without the process's loops
// the clients run on one loop thread of their own.
#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.hpp"
#include "net/curl_multi.hpp"
#include "util/completion.hpp"

namespace ninja::net {
class EventLoops;
class CurlRuntime;
}  // namespace ninja::net

namespace ninja::storage::dynamodb {

struct ClientsOptions {
  aws::ServiceEndpoint endpoint;
  aws::Credentials credentials;
  std::chrono::milliseconds timeout{10000};  // one attempt
  aws::RetryPolicy retry;
  std::shared_ptr<spdlog::logger> log;  // may be null
  net::EventLoops* loops = nullptr;     // must outlive the clients; null: a loop thread of their own
  net::CurlMultiOptions http;           // of each loop's CurlMulti
};

class DynamoDbClients {
 public:
  explicit DynamoDbClients(ClientsOptions options);
  DynamoDbClients(const DynamoDbClients&) = delete;
  DynamoDbClients& operator=(const DynamoDbClients&) = delete;
  // Calls in flight complete with util::Unavailable, and so do calls made meanwhile (by those
  // completions, say). Never on one of the loops' threads.
  ~DynamoDbClients();

  // One DynamoDB operation ("GetItem", "TransactWriteItems") with `body`; the answer's JSON object.
  // Errors as AwsClient's (aws::AwsError, aws::AwsUnavailable, util::Unavailable).
  void call(std::string_view operation, const boost::json::object& body, util::Completion<boost::json::object> done);

  // The same, waiting for the answer: for setup (migrate) and tools, never on a loop's thread.
  boost::json::object call_blocking(std::string_view operation, const boost::json::object& body);

  const aws::ServiceEndpoint& endpoint() const { return endpoint_; }

 private:
  struct Loop;
  aws::ServiceEndpoint endpoint_;
  std::unique_ptr<net::CurlRuntime> curl_;
  std::unique_ptr<net::EventLoops> own_loops_;  // when the options named none
  net::EventLoops& loops_;
  std::vector<std::unique_ptr<Loop>> clients_;  // one per loop, index = loop index
  std::atomic<size_t> next_{0};
  std::atomic<bool> closing_{false};
};

}  // namespace ninja::storage::dynamodb
