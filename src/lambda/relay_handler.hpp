#pragma once
// `lambda --handler relay`: publishes committed outbox events. Two triggers, one loop:
//  - a DynamoDB Streams batch of the outbox table (KEYS_ONLY, INSERT records) wakes it within a
//    second of a commit: it claims the oldest pending events of the records' subjects directly
//    (Outbox::claim_subjects), then whatever else is pending; the stream is only the wake-up, the
//    outbox stays the truth;
//  - `{"ninja":"sweep"}` every minute (the schedule) publishes whatever is still pending, e.g.
//    after an invocation died between claim and publish (its lease lapses), and reports the
//    outbox lag as a CloudWatch metric (Embedded Metric Format on stdout).
// Both claim from the outbox as `serve`'s relay does (leases, one event per entity at a time,
// oldest first), publish and mark, until nothing is pending or the deadline nears. A failure
// fails the invocation, so Lambda retries the stream batch; nothing is lost either way.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "events/outbox.hpp"
#include "events/outbox_relay.hpp"
#include "lambda/invocation.hpp"
#include "util/uuid.hpp"

namespace ninja::lambda {

struct RelayHandlerOptions {
  std::chrono::milliseconds margin{2000};  // stop claiming this long before the deadline
  // How long a subject of the stream batch whose oldest event another relay holds is looked at again.
  std::chrono::milliseconds index_lag{2000};
  std::chrono::milliseconds look_again{100};
};

class RelayHandler {
 public:
  // `emit` writes one line to stdout (the EMF metric).
  RelayHandler(events::OutboxRelay& relay, events::Outbox& outbox, util::MillisClock clock,
               std::function<void(const std::string&)> emit, RelayHandlerOptions options = {})
      : relay_(relay), outbox_(outbox), clock_(std::move(clock)), emit_(std::move(emit)), options_(options) {}

  std::string operator()(const Invocation& invocation) const;

 private:
  // relay_once() until a round publishes nothing, or `until`.
  size_t drain(std::chrono::steady_clock::time_point until) const;
  // The subjects' oldest pending events, round after round (an entity with several pending events
  // gives one a round), until each subject has had one published or `keep_looking` passed (another
  // relay's lease holds it: that relay publishes it), or `until`.
  size_t relay_subjects(const std::vector<std::string>& subjects, std::chrono::steady_clock::time_point until,
                        std::chrono::steady_clock::time_point keep_looking) const;

  events::OutboxRelay& relay_;
  events::Outbox& outbox_;
  util::MillisClock clock_;
  std::function<void(const std::string&)> emit_;
  RelayHandlerOptions options_;
};

// The subjects of the INSERT records of a DynamoDB Streams event on the outbox table (its key
// attribute `subject`, storage/dynamodb/table_layout.hpp), in order, each once; throws
// InvocationError(kBadEvent) when it is not such an event.
std::vector<std::string> stream_insert_subjects(std::string_view event);

// The EMF line: OutboxOldestPendingAgeSeconds in namespace NinjaOrders (0 when nothing is pending).
std::string outbox_lag_metric(double age_seconds, int64_t now_ms);

}  // namespace ninja::lambda
