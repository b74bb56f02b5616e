#pragma once
// The SNS + SQS bus (`--bus sns://REGION?endpoint=URL&prefix=P`), AWS's own pair for what the
// original system did with SNS. At start it creates or reuses the FIFO topic; publish() sends
// events to it with PublishBatch (sns_publisher.hpp); subscribe() creates or updates the
// consumer's FIFO queue, its dead-letter queue and its filtered subscription (bus_setup.hpp), and
// consumes it (sqs_consumer.hpp). Several processes subscribing with one consumer name share its
// queue. SNS delivers only to queues subscribed when an event is published: create them before
// the relay publishes (subscribe, or prepare() in `migrate`).
//
// All calls go through one event loop of the bus's own (a CurlMulti with keep-alive connections),
// so neither a publish nor a long poll holds a thread; each subscription has one thread for its
// synchronous handler.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "aws/aws_client.hpp"
#include "events/bus.hpp"
#include "events/make_bus.hpp"
#include "events/sns/bus_setup.hpp"
#include "events/sns/publish_batch.hpp"
#include "events/sns/sns_address.hpp"
#include "events/sns/sqs_consumer.hpp"

namespace spdlog {
class logger;
}

namespace ninja::events::sns {

class SnsPublisher;

struct SnsBusOptions {
  aws::Credentials credentials;
  std::string region;            // resolved: the URL's or the environment's
  long call_timeout_ms = 10000;  // one attempt of a call (a long poll gets its wait on top)
  aws::RetryPolicy retry;
  PublishLimits publish;
  QueueSettings queue;
  ConsumerOptions consumer;
  std::string ca_file;  // empty: libcurl's default
};

class SnsBus final : public Bus {
 public:
  // Creates or reuses the topic; throws aws::AwsUnavailable when AWS cannot be reached and
  // aws::AwsError when it refuses (bad credentials, say).
  SnsBus(const SnsAddress& address, SnsBusOptions options, std::shared_ptr<spdlog::logger> log);
  ~SnsBus() override;

  void publish(std::vector<Event> events, util::Completion<PublishResults> done) override;
  // Sets up the consumer's queues (prepare()) and starts consuming. Throws std::invalid_argument
  // for a consumer name that cannot name a queue or no types, and what the setup throws.
  std::unique_ptr<Subscription> subscribe(std::string consumer, std::vector<std::string> types,
                                          BatchHandler handler) override;
  void prepare_consumer(const std::string& consumer, const std::vector<std::string>& types) override {
    prepare(consumer, types);
  }
  bool ready() override;
  bool reaches_other_processes() const override { return true; }

  // Creates or updates what consumer `consumer` of `types` needs, without consuming.
  ConsumerQueue prepare(const std::string& consumer, const std::vector<std::string>& types);
  const std::string& topic_arn() const { return topic_arn_; }

 private:
  struct Runtime;
  const SnsAddress address_;
  const SnsBusOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<Runtime> runtime_;  // shared with the subscriptions: a handle may outlive the bus
  std::string topic_arn_;
  std::unique_ptr<SnsPublisher> publisher_;
};

// For make_bus(): the credentials and region from the standard AWS chain, `options.timeout` as the
// timeout of one call.
std::unique_ptr<Bus> make_sns_bus(const BusOptions& options);

}  // namespace ninja::events::sns
