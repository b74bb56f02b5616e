#pragma once
// Creates or updates, at start, the stream the relay publishes to and the durable consumers the
// notifiers pull from. Both calls are idempotent, so any number of processes may make them at once.
#include <nats/nats.h>

#include <chrono>
#include <string>
#include <vector>

namespace ninja::events::nats {

struct StreamSettings {
  std::string name;
  std::vector<std::string> subjects;
  // Kept on disk this long whether consumed or not (consumers are durable and may be offline).
  std::chrono::seconds max_age{std::chrono::hours(24 * 7)};
  // Publishes with an already stored Nats-Msg-Id within this window are acknowledged, not stored.
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
  int replicas = 1;  // 3 on a JetStream cluster
};

struct ConsumerSettings {
  std::string stream;
  std::string durable;
  std::string filter_subject;  // one subject, wildcards allowed (nats-server 2.9 takes one filter)
  // A delivered message not acknowledged within this time goes to another puller: short, so the
  // batch of a notifier that crashed is notified by another within seconds. A handler that takes
  // longer (backpressure) keeps its batch by reporting progress (PullConsumer).
  std::chrono::milliseconds ack_wait{std::chrono::seconds(10)};
  // Deliveries per message before the server gives up on it (it stays in the stream).
  int max_deliver = 50;
  // Delivered-but-unacknowledged messages across all pullers of the durable: the server stops
  // handing out more beyond it.
  int max_ack_pending = 1024;
};

// File storage, limits retention. Throws NatsError/NatsUnavailable.
void ensure_stream(jsCtx* js, const StreamSettings& settings);
// A durable pull consumer with explicit acks, delivering everything from the stream's start.
void ensure_consumer(jsCtx* js, const ConsumerSettings& settings);

}  // namespace ninja::events::nats
