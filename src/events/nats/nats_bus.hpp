#pragma once
// The NATS JetStream bus (`--bus nats://HOST:PORT[?prefix=P]`). publish() sends each event to the
// file-backed stream (created or updated at start) with its id as Nats-Msg-Id and reports it
// accepted only after its PubAck; subscribe() starts a durable pull consumer with explicit acks,
// shared by every process that subscribes with the same consumer name: a batch is acked after the
// handler returned, nak'ed with a growing delay when it threw, and given up after max_deliver
// deliveries; when it threw util::Unavailable (the notifier's store is down) the batch is held
// and handed over again, however long the outage, without using up deliveries. Consumers
// deduplicate redeliveries by event id: JetStream's duplicate window is only minutes.
#include <memory>
#include <string>
#include <vector>

#include "events/bus.hpp"
#include "events/make_bus.hpp"
#include "events/nats/jetstream_publisher.hpp"
#include "events/nats/jetstream_setup.hpp"
#include "events/nats/nats_address.hpp"
#include "events/nats/nats_connection.hpp"
#include "events/nats/pull_consumer.hpp"

namespace spdlog {
class logger;
}

namespace ninja::events::nats {

struct NatsBusOptions {
  ConnectionOptions connection;
  std::chrono::milliseconds publish_timeout{5000};  // the longest an event waits for its PubAck
  StreamSettings stream;                            // name and subjects are derived from the address
  ConsumerSettings consumer;                        // stream, durable and filter are derived per subscription
  PullOptions pull;
};

class NatsBus final : public Bus {
 public:
  // Connects and creates or updates the stream; throws NatsUnavailable when NATS is unreachable
  // and NatsError when it refuses (a conflicting stream, say).
  NatsBus(const NatsAddress& address, NatsBusOptions options, std::shared_ptr<spdlog::logger> log);
  ~NatsBus() override;

  void publish(std::vector<Event> events, util::Completion<PublishResults> done) override;
  // Throws std::invalid_argument for a consumer name that cannot name a durable or no types, and
  // the NATS failures of creating the consumer.
  std::unique_ptr<Subscription> subscribe(std::string consumer, std::vector<std::string> types,
                                          BatchHandler handler) override;
  bool ready() override { return connection_->connected(); }
  bool reaches_other_processes() const override { return true; }

 private:
  const NatsAddress address_;
  const NatsBusOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  // Shared with the subscriptions, so a handle that outlives the bus still stops cleanly.
  std::shared_ptr<NatsConnection> connection_;
  JetStreamHandle js_;  // for stream and consumer setup
  std::unique_ptr<JetStreamPublisher> publisher_;
};

// For make_bus(): `options.url` is nats://… or tls://…, `options.timeout` the publish timeout.
std::unique_ptr<Bus> make_nats_bus(const BusOptions& options);

}  // namespace ninja::events::nats
