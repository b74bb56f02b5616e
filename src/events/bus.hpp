#pragma once
// The event bus port between the outbox relay (publisher) and consumers such as the notifier.
// Implementations: in-process (inproc/), later NATS JetStream (nats/) and SNS+SQS (sns/). Both
// directions are at-least-once, so consumers deduplicate by event id.
#include <functional>
#include <string>
#include <vector>

#include "events/event.hpp"

namespace ninja::events {

// Receives a batch of events of the subscribed types, in publish order. It returns once it has
// durably accepted them all (e.g. recorded its own work items); it throws to refuse the batch,
// which the bus then redelivers.
using BatchHandler = std::function<void(const std::vector<Event>& events)>;

class Bus {
 public:
  virtual ~Bus() = default;

  // Returns once the bus has durably accepted every event (the relay then marks them published);
  // throws when it could not, and the relay retries the whole batch.
  virtual void publish(const std::vector<Event>& events) = 0;
  // Registers `handler` as the durable consumer `consumer` of the event `types`. Call before the
  // relay starts publishing.
  virtual void subscribe(std::string consumer, std::vector<std::string> types, BatchHandler handler) = 0;
  // True when the bus answers (readiness).
  virtual bool ready() = 0;
};

}  // namespace ninja::events
