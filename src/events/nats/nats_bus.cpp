#include "events/nats/nats_bus.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>

#include "events/nats/event_message.hpp"

namespace ninja::events::nats {
namespace {

// The results of one publish() call, filled in by the events' completions in any order.
struct PendingResults {
  PendingResults(size_t count, util::Completion<PublishResults> done) : results(count), done(std::move(done)) {}
  void complete(size_t index, std::exception_ptr error) {
    results[index] = std::move(error);  // each index is written once, by its own completion
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) done(std::move(results), nullptr);
  }
  PublishResults results;
  std::atomic<size_t> remaining{results.size()};
  util::Completion<PublishResults> done;
};

class NatsSubscription final : public Subscription {
 public:
  NatsSubscription(std::shared_ptr<NatsConnection> connection, std::unique_ptr<PullConsumer> consumer)
      : connection_(std::move(connection)), consumer_(std::move(consumer)) {}
  ~NatsSubscription() override { stop(); }
  void stop() override { consumer_->stop(); }

 private:
  std::shared_ptr<NatsConnection> connection_;  // outlives consumer_
  std::unique_ptr<PullConsumer> consumer_;
};

}  // namespace

NatsBus::NatsBus(const NatsAddress& address, NatsBusOptions options, std::shared_ptr<spdlog::logger> log)
    : address_(address),
      options_(std::move(options)),
      log_(std::move(log)),
      connection_(std::make_shared<NatsConnection>(address_, options_.connection, log_)),
      js_(connection_->jetstream(nullptr)) {
  StreamSettings stream = options_.stream;
  stream.name = address_.stream_name();
  stream.subjects = {address_.all_subjects()};
  stream.replicas = address_.replicas();
  ensure_stream(js_.get(), stream);
  publisher_ = std::make_unique<JetStreamPublisher>(*connection_, stream.name, options_.publish_timeout);
  log_->info("NATS bus on {}: stream {} ({})", connection_->servers(), stream.name, address_.all_subjects());
}

NatsBus::~NatsBus() = default;

void NatsBus::publish(std::vector<Event> events, util::Completion<PublishResults> done) {
  if (events.empty()) {
    done({}, nullptr);
    return;
  }
  auto pending = std::make_shared<PendingResults>(events.size(), std::move(done));
  for (size_t i = 0; i < events.size(); ++i) {
    OutgoingMessage message;
    try {
      message = to_message(address_, events[i]);
    } catch (...) {
      pending->complete(i, std::current_exception());
      continue;
    }
    publisher_->publish(std::move(message),
                        [pending, i](std::exception_ptr error) { pending->complete(i, std::move(error)); });
  }
}

std::unique_ptr<Subscription> NatsBus::subscribe(std::string consumer, std::vector<std::string> types,
                                                 BatchHandler handler) {
  if (types.empty()) throw std::invalid_argument("consumer " + consumer + " subscribes to no event type");
  ConsumerSettings settings = options_.consumer;
  settings.stream = address_.stream_name();
  settings.durable = address_.durable_name(consumer);
  // nats-server 2.9 filters on one subject: one type is filtered there, several here.
  settings.filter_subject = types.size() == 1 ? address_.subject(types.front()) : address_.all_subjects();
  ensure_consumer(js_.get(), settings);

  auto adapter = [address = address_, types = std::move(types), handler = std::move(handler),
                  log = log_](std::vector<ReceivedMessage>& batch) {
    std::vector<Event> events;
    events.reserve(batch.size());
    for (auto& message : batch) {
      std::string why;
      auto event = to_event(address, message, why);
      if (!event) {
        log->warn("NATS message {} on {} discarded: {}", message.stream_sequence(), message.subject(), why);
        message.discard();
        continue;
      }
      // Other types (a multi-type filter) are acknowledged with the batch: not for this consumer.
      if (std::find(types.begin(), types.end(), event->type) != types.end()) events.push_back(std::move(*event));
    }
    if (!events.empty()) handler(events);
  };
  log_->info("NATS consumer {} on {}", settings.durable, settings.filter_subject);
  auto pull = std::make_unique<PullConsumer>(*connection_, settings, options_.pull, std::move(adapter), log_,
                                             "nats-" + consumer);
  return std::make_unique<NatsSubscription>(connection_, std::move(pull));
}

std::unique_ptr<Bus> make_nats_bus(const BusOptions& options) {
  NatsBusOptions bus_options;
  bus_options.publish_timeout = options.timeout;
  auto log = options.log ? options.log
                         : std::make_shared<spdlog::logger>("nats", std::make_shared<spdlog::sinks::null_sink_mt>());
  return std::make_unique<NatsBus>(NatsAddress::parse(options.url), bus_options, std::move(log));
}

}  // namespace ninja::events::nats
