#pragma once
// The SNS + SQS bus against the real moto_server of tests/servers/with-servers
// (NINJA_TEST_MOTO_URL): a bus per test under a prefix of its own (its own topic and queues,
// deleted afterwards), timers short enough for a test, and a client of its own to look at the
// queues from outside the bus.
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "aws/aws_client.hpp"
#include "aws/xml_text.hpp"
#include "events/sns/sns_bus.hpp"
#include "events/sns/xml_members.hpp"
#include "net/curl_handle.hpp"
#include "net/curl_multi.hpp"
#include "net/event_loops.hpp"
#include "support/test_names.hpp"
#include "support/test_servers.hpp"
#include "util/completion.hpp"

namespace ninja::sns_support {

using namespace std::chrono_literals;

inline std::shared_ptr<spdlog::logger> quiet_logger() { return testing_support::quiet_logger("sns-test"); }

// "t1a2b3c4d5e6-": fresh for every test, so tests never see each other's topic or queues.
inline std::string unique_prefix() { return "t" + testing_support::random_token() + "-"; }

// True once `condition` holds, false when it still does not after `timeout`.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

inline aws::Credentials moto_credentials() { return {"AKIDMOTO", "moto-secret", "", "test"}; }

// Short waits: a long poll of 1 s (stop() and teardown never wait long), refusals back at once.
inline events::sns::SnsBusOptions quick_options() {
  events::sns::SnsBusOptions options;
  options.credentials = moto_credentials();
  options.region = "us-east-1";
  options.call_timeout_ms = 5000;
  options.retry = {2, 10ms, 50ms};
  options.queue.max_receives = 5;
  options.consumer.wait = 1s;
  options.consumer.visibility = 10s;
  options.consumer.extend_every = 2s;
  options.consumer.refusal_delay = 0s;
  options.consumer.refusal_delay_max = 0s;
  options.consumer.retry_wait = 100ms;
  options.consumer.hold_wait = 50ms;
  options.consumer.hold_wait_max = 100ms;
  return options;
}

inline std::string bus_url(const std::string& moto_url, const std::string& prefix) {
  return "sns://us-east-1?endpoint=" + moto_url + "&prefix=" + prefix;
}

// Calls to moto from outside the bus, on a loop of its own.
class MotoClients {
 public:
  explicit MotoClients(const std::string& url) {
    for (const char* service : {"sns", "sqs"}) {
      aws::AwsClientOptions options;
      options.endpoint = aws::service_endpoint(service, "us-east-1", url);
      options.credentials = moto_credentials();
      options.retry = {2, 10ms, 50ms};
      (std::string(service) == "sns" ? sns_ : sqs_) = std::make_unique<aws::AwsClient>(http_, std::move(options));
    }
  }
  ~MotoClients() {
    sns_.reset();
    sqs_.reset();
  }

  boost::json::value sqs(const std::string& operation, const boost::json::value& body) {
    return util::await_result<boost::json::value>(
        [&](auto done) { sqs_->call_json("AmazonSQS." + operation, boost::json::serialize(body), std::move(done)); });
  }
  std::string sns(const std::string& action, aws::FormParams params) {
    return util::await_result<std::string>(
        [&](auto done) { sns_->call_form(action, std::move(params), std::move(done)); });
  }

  std::string queue_url(const std::string& name) {
    return std::string(sqs("GetQueueUrl", {{"QueueName", name}}).at("QueueUrl").as_string());
  }
  boost::json::object queue_attributes(const std::string& url) {
    return sqs("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"All"}}}).at("Attributes").as_object();
  }
  // Takes up to ten messages off a queue (they stay hidden for a minute).
  boost::json::array receive(const std::string& url, int wait_seconds = 1) {
    const auto answer = sqs("ReceiveMessage", {{"QueueUrl", url},
                                               {"MaxNumberOfMessages", 10},
                                               {"WaitTimeSeconds", wait_seconds},
                                               {"VisibilityTimeout", 60},
                                               {"MessageAttributeNames", {"All"}}});
    const auto* messages = answer.as_object().if_contains("Messages");
    return messages == nullptr ? boost::json::array{} : messages->as_array();
  }

  // Best effort: the topic and every queue under `prefix`.
  void delete_everything(const std::string& prefix, const std::string& topic_arn) {
    try {
      if (!topic_arn.empty()) sns("DeleteTopic", {{"TopicArn", topic_arn}});
      const auto listed = sqs("ListQueues", {{"QueueNamePrefix", prefix}});
      if (const auto* urls = listed.as_object().if_contains("QueueUrls")) {
        for (const auto& url : urls->as_array()) sqs("DeleteQueue", {{"QueueUrl", url}});
      }
    } catch (const std::exception&) {
      // moto forgets everything when it stops.
    }
  }

 private:
  net::CurlRuntime curl_;
  net::EventLoops loops_{1, "moto-client"};
  net::CurlMulti http_{loops_.context(0)};
  std::unique_ptr<aws::AwsClient> sns_;
  std::unique_ptr<aws::AwsClient> sqs_;
};

// A bus under a fresh prefix; why it could not be made, when it could not.
struct MotoBus {
  explicit MotoBus(events::sns::SnsBusOptions options = quick_options()) {
    url = testing_support::server_url("NINJA_TEST_MOTO_URL");
    if (!url) {
      why = "NINJA_TEST_MOTO_URL is not set (no moto_server; run under tests/servers/with-servers)";
      return;
    }
    prefix = unique_prefix();
    address = events::sns::SnsAddress::parse(bus_url(*url, prefix));
    try {
      bus = std::make_unique<events::sns::SnsBus>(address, std::move(options), quiet_logger());
    } catch (const util::Unavailable& e) {
      why = std::string("moto at NINJA_TEST_MOTO_URL is unreachable: ") + e.what();
    }
  }
  ~MotoBus() {
    if (!bus) return;
    const std::string topic = bus->topic_arn();
    bus.reset();
    MotoClients(*url).delete_everything(prefix, topic);
  }

  std::optional<std::string> url;
  std::optional<std::string> why;
  std::string prefix;
  events::sns::SnsAddress address;
  std::unique_ptr<events::sns::SnsBus> bus;
};

}  // namespace ninja::sns_support
