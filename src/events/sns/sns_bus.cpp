#include "events/sns/sns_bus.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <stdexcept>

#include "events/sns/sns_publisher.hpp"
#include "net/curl_handle.hpp"
#include "net/curl_multi.hpp"
#include "net/event_loops.hpp"

namespace ninja::events::sns {
namespace {

aws::AwsClientOptions client_options(const std::string& service, const SnsAddress& address,
                                     const SnsBusOptions& options, long timeout_ms,
                                     const std::shared_ptr<spdlog::logger>& log) {
  aws::AwsClientOptions client;
  client.endpoint = aws::service_endpoint(service, options.region, address.endpoint());
  client.credentials = options.credentials;
  client.timeout_ms = timeout_ms;
  client.retry = options.retry;
  client.log = log;
  return client;
}

}  // namespace

net::CurlMultiOptions http_options(const SnsBusOptions& options) {
  net::CurlMultiOptions http;
  http.ca_file = options.ca_file;
  return http;
}

// What every call needs, in the order it must be torn down (last member first): the clients before
// the CurlMulti they send through, that before the loop it runs on.
struct SnsBus::Runtime {
  Runtime(const SnsAddress& address, const SnsBusOptions& options, const std::shared_ptr<spdlog::logger>& log)
      : http(loops.context(0), http_options(options)),
        sns(http, client_options("sns", address, options, options.call_timeout_ms, log)),
        sqs(http, client_options("sqs", address, options, options.call_timeout_ms, log)),
        poll(http, client_options("sqs", address, options,
                                  options.call_timeout_ms + options.consumer.wait.count() * 1000, log)) {}

  net::CurlRuntime curl;
  net::EventLoops loops{1, "sns"};
  net::CurlMulti http;
  aws::AwsClient sns;
  aws::AwsClient sqs;
  aws::AwsClient poll;  // long polls only
  std::atomic<bool> reachable{true};
};

namespace {

class SnsSubscription final : public Subscription {
 public:
  SnsSubscription(std::shared_ptr<void> runtime, std::unique_ptr<SqsConsumer> consumer)
      : runtime_(std::move(runtime)), consumer_(std::move(consumer)) {}
  ~SnsSubscription() override { stop(); }
  void stop() override { consumer_->stop(); }

 private:
  std::shared_ptr<void> runtime_;  // outlives consumer_
  std::unique_ptr<SqsConsumer> consumer_;
};

}  // namespace

SnsBus::SnsBus(const SnsAddress& address, SnsBusOptions options, std::shared_ptr<spdlog::logger> log)
    : address_(address),
      options_(std::move(options)),
      log_(std::move(log)),
      runtime_(std::make_shared<Runtime>(address_, options_, log_)) {
  if (options_.consumer.extend_every >= options_.consumer.visibility) {
    throw std::invalid_argument("the SQS visibility must be extended more often than it lasts");
  }
  topic_arn_ = address_.topic_arn() ? *address_.topic_arn() : ensure_topic(runtime_->sns, address_.topic_name());
  publisher_ = std::make_unique<SnsPublisher>(runtime_->loops.context(0), runtime_->sns, topic_arn_, options_.publish,
                                              runtime_->reachable);
  log_->info("SNS bus at {} in {}: topic {} (credentials from {})", runtime_->sns.endpoint().host, options_.region,
             topic_arn_, options_.credentials.source);
}

SnsBus::~SnsBus() { publisher_.reset(); }  // before the clients it sends through

void SnsBus::publish(std::vector<Event> events, util::Completion<PublishResults> done) {
  publisher_->publish(std::move(events), std::move(done));
}

ConsumerQueue SnsBus::prepare(const std::string& consumer, const std::vector<std::string>& types) {
  if (types.empty()) throw std::invalid_argument("consumer " + consumer + " subscribes to no event type");
  return ensure_consumer_queue(runtime_->sns, runtime_->sqs, topic_arn_, address_.queue_name(consumer),
                               address_.dead_letter_queue_name(consumer), types, options_.queue);
}

std::unique_ptr<Subscription> SnsBus::subscribe(std::string consumer, std::vector<std::string> types,
                                                BatchHandler handler) {
  const ConsumerQueue queue = prepare(consumer, types);
  log_->info("SNS consumer {}: queue {} (dead letters after {} receives: {})", consumer, queue.url,
             options_.queue.max_receives, queue.dead_letter_url);
  auto sqs_consumer = std::make_unique<SqsConsumer>(runtime_->loops.context(0), runtime_->poll, runtime_->sqs,
                                                    queue.url, std::move(types), options_.consumer, std::move(handler),
                                                    log_, runtime_->reachable, "sns-" + consumer);
  return std::make_unique<SnsSubscription>(runtime_, std::move(sqs_consumer));
}

bool SnsBus::ready() { return runtime_->reachable.load(); }

std::unique_ptr<Bus> make_sns_bus(const BusOptions& options) {
  const auto address = SnsAddress::parse(options.url);
  const auto environment = aws::process_environment();
  SnsBusOptions bus_options;
  bus_options.region = aws::resolve_region(address.region(), environment);
  bus_options.credentials = aws::resolve_credentials(environment, aws::file_system_reader());
  bus_options.call_timeout_ms = static_cast<long>(options.timeout.count());
  bus_options.ca_file = options.ca_file;
  auto log = options.log ? options.log
                         : std::make_shared<spdlog::logger>("sns", std::make_shared<spdlog::sinks::null_sink_mt>());
  return std::make_unique<SnsBus>(address, std::move(bus_options), std::move(log));
}

}  // namespace ninja::events::sns
