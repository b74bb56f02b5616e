#pragma once
// Calls to one AWS service from one event loop: signs each attempt afresh, sends it through the
// loop's CurlMulti (keep-alive connections, no thread per call), retries throttling, 5xx answers and
// transport failures after a capped, fully jittered backoff on a timer of the loop (no sleeping
// thread), and hands everything else back at once: a conditional check that failed is an answer,
// not a reason to try again.
//
// Completions run on the loop's thread. Errors: AwsError (what the service refused), AwsUnavailable
// (a util::Unavailable: throttled, failing or unreachable after the last attempt; also logged as
// one warn line), util::Unavailable when the client or its CurlMulti is shutting down.
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "aws/aws_error.hpp"
#include "aws/credentials.hpp"
#include "aws/form_body.hpp"
#include "aws/service_endpoint.hpp"
#include "net/curl_multi.hpp"
#include "util/completion.hpp"

namespace spdlog {
class logger;
}

namespace ninja::aws {

struct RetryPolicy {
  int max_attempts = 5;  // the first try included
  std::chrono::milliseconds base{25};
  std::chrono::milliseconds cap{2000};
};

struct AwsClientOptions {
  ServiceEndpoint endpoint;
  Credentials credentials;
  long timeout_ms = 10000;  // one attempt
  RetryPolicy retry;
  std::string query_version = "2010-03-31";  // the Version of Query-protocol calls (SNS's)
  std::shared_ptr<spdlog::logger> log;       // may be null
  uint64_t seed = 0;                         // of the backoff's jitter; 0: from std::random_device
};

class AwsClient {
 public:
  AwsClient(net::CurlMulti& http, AwsClientOptions options);
  AwsClient(const AwsClient&) = delete;
  AwsClient& operator=(const AwsClient&) = delete;
  // Calls waiting for a retry complete with util::Unavailable; those on the wire complete when
  // their transfer does. On another thread than the loop's, the loop must still be running.
  ~AwsClient();

  const ServiceEndpoint& endpoint() const;

  // The JSON 1.0 protocol: `target` is the X-Amz-Target, e.g. "DynamoDB_20120810.GetItem" or
  // "AmazonSQS.ReceiveMessage"; the answer's JSON document (an empty object for an empty body).
  void call_json(std::string target, std::string body, util::Completion<boost::json::value> done);

  // The Query protocol as a form body: Action=`action`&Version=…&params; the XML answer as text.
  void call_form(std::string action, FormParams params, util::Completion<std::string> done);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ninja::aws
