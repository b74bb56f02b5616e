#pragma once
// Publishes to a JetStream stream without a thread per message in flight: each message is sent at
// once and its completion runs when the stream's PubAck (or an error, or the ack timeout) comes
// back, so a batch of 256 is one round of pipelined publishes on the connection.
#include <nats/nats.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "events/nats/nats_connection.hpp"
#include "events/nats/nats_handles.hpp"

namespace ninja::events::nats {

struct OutgoingMessage {
  std::string subject;
  std::string msg_id;  // Nats-Msg-Id: the stream stores one message per id within its duplicate window
  std::vector<std::pair<std::string, std::string>> headers;
  std::string data;
};

// Called exactly once: with nullptr when the stream stored the message (or already had it: a
// duplicate within the window), else with the failure (NatsUnavailable when it may pass).
using PublishCompletion = std::function<void(std::exception_ptr error)>;

class JetStreamPublisher {
 public:
  // `connection` must outlive the publisher. `stream` is checked against each PubAck, so a
  // subject that some other stream captures fails instead of being acknowledged.
  JetStreamPublisher(NatsConnection& connection, std::string stream, std::chrono::milliseconds ack_timeout);
  JetStreamPublisher(const JetStreamPublisher&) = delete;
  JetStreamPublisher& operator=(const JetStreamPublisher&) = delete;
  // Refuses new publishes and waits for the completions of those in flight (each has a deadline).
  ~JetStreamPublisher();

  // Sends `message` and returns without waiting. `done` runs on a libnats thread after the PubAck,
  // or on the caller's thread before publish() returns when the message could not be sent (no
  // connection right now: the library would otherwise buffer it until the server is back).
  void publish(OutgoingMessage message, PublishCompletion done);

  size_t in_flight() const;

 private:
  static void on_ack(jsCtx* js, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure);
  void complete(natsMsg* msg, std::exception_ptr error);
  void fail_all_pending();  // the connection closed for good: no PubAck will come

  NatsConnection& connection_;
  const std::string stream_;
  const std::chrono::milliseconds ack_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  bool closing_ = false;
  // Keyed by the library's message: the ack handler gets the message it was given back.
  std::unordered_map<natsMsg*, PublishCompletion> pending_;
  size_t in_flight_ = 0;  // registered and not completed; pending_ may lag behind by one publish
  size_t closed_listener_ = 0;
  JetStreamHandle js_;  // last: created after the state its ack handler uses
};

}  // namespace ninja::events::nats
