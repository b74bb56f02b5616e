#pragma once
// The event bus port between the outbox relay (publisher) and consumers such as the notifier.
// Backends: in-process (inproc/), NATS JetStream (nats/), later SNS+SQS (sns/); make_bus() picks
// one by URL. Both directions are at-least-once, so consumers deduplicate by event id.
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "events/event.hpp"
#include "events/subscription.hpp"
#include "util/completion.hpp"

namespace ninja::events {

// Receives a batch of events of the subscribed types. It returns once it has durably accepted
// them all (recorded its own work items, say); it throws to refuse the batch, which the bus then
// redelivers later. Called on the bus's own thread, one batch at a time per subscription, so a
// slow handler slows its consumer (backpressure) and holds no request.
using BatchHandler = std::function<void(const std::vector<Event>& events)>;

// What publish() reports, per event in the order given: null when the bus has durably accepted
// the event, otherwise why it has not. A partial failure thus republishes only what failed.
using PublishResults = std::vector<std::exception_ptr>;

class Bus {
 public:
  virtual ~Bus() = default;

  // Publishes every event; `done` gets one result per event (or, with an empty result, the error
  // that kept the whole call from starting). The bus keeps what it needs of `events`.
  virtual void publish(std::vector<Event> events, util::Completion<PublishResults> done) = 0;
  // Starts the durable consumer `consumer` of the event `types`; several processes subscribing
  // with one consumer name share its events. Subscribe before the relay publishes.
  virtual std::unique_ptr<Subscription> subscribe(std::string consumer, std::vector<std::string> types,
                                                  BatchHandler handler) = 0;
  // Creates what consumer `consumer` of `types` needs to receive every event published from now on,
  // without consuming: `migrate` and a relay call it before anything is published, because a bus
  // that keeps only what a consumer's queue holds (SNS) would drop the events a relay publishes
  // before the first notifier started. Idempotent. A bus whose stream keeps every event anyway
  // (JetStream, in-process) needs nothing.
  virtual void prepare_consumer(const std::string& /*consumer*/, const std::vector<std::string>& /*types*/) {}
  // True while the bus is reachable (readiness). Never blocks: it reports the last known state.
  virtual bool ready() = 0;
  // False when only this process can consume what it publishes (the in-process bus): the relay
  // and the notifier must then run in the same process.
  virtual bool reaches_other_processes() const = 0;
};

}  // namespace ninja::events
