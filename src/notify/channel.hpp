#pragma once
// One way of telling a user about a new order (webhook, email, sms, log). The notifier decides
// which channel to use and what to do with the outcome (record, retry, dead-letter); a channel
// only makes one attempt and says how it went. Attempts are asynchronous (the network ones run on
// an event loop through libcurl's multi interface), so an attempt in flight holds no thread, and
// channels are called from several threads at once and must be safe for that.
#include <cstdint>
#include <string>

#include "domain/user.hpp"
#include "util/completion.hpp"

namespace ninja::notify {

// What a channel needs to tell `user` about one OrderCreated event.
struct Notification {
  std::string event_id;    // the CloudEvent id: webhook-id, Message-ID, dedup key
  std::string event_json;  // the CloudEvent as published (the webhook body)
  int64_t event_time_ms = 0;
  std::string order_id;
  int64_t total = 0;  // minor units
  std::string currency;
  domain::User user;  // as loaded when the event arrived; its notify_channel is the preferred one
};

enum class Outcome {
  delivered,  // the receiver accepted it
  retry,      // transient: timeouts, connection errors, 408, 429, 5xx, SMTP 4xx
  dead,       // permanent: other 4xx, SMTP 5xx, a refused destination, a user without the address
};

struct Attempt {
  Outcome outcome = Outcome::dead;
  std::string error;  // empty when delivered; short, human-readable, never a secret
};

class Channel {
 public:
  virtual ~Channel() = default;
  // Starts one attempt; `done` gets how it went, exactly once (maybe before deliver returns), and
  // never an error: failures are reported as retry or dead. Never throws.
  virtual void deliver(const Notification& notification, util::Completion<Attempt> done) = 0;
};

}  // namespace ninja::notify
