#pragma once
// A durable JetStream pull consumer on its own thread: it fetches a batch, hands it to a
// synchronous handler and then acknowledges each message (the handler returned), naks it with a
// growing delay (the handler threw), holds it and tries again (the handler threw Unavailable) or
// terminates it (the handler discarded it as unusable).
// Any number of processes may pull from the same durable; the server spreads the messages.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/nats/jetstream_setup.hpp"
#include "events/nats/nats_connection.hpp"
#include "events/nats/nats_handles.hpp"

namespace spdlog {
class logger;
}

namespace ninja::events::nats {

// One delivered message, valid during the handler call.
class ReceivedMessage {
 public:
  explicit ReceivedMessage(natsMsg* msg);

  std::string_view subject() const;
  std::string_view data() const;
  std::optional<std::string_view> header(const char* name) const;
  uint64_t deliveries() const { return deliveries_; }  // 1 the first time, more when redelivered
  uint64_t stream_sequence() const { return stream_sequence_; }

  // Never deliver this message again, whatever the handler's outcome (it can never be handled:
  // a malformed message from a foreign publisher, say).
  void discard() { discarded_ = true; }
  bool discarded() const { return discarded_; }
  natsMsg* raw() const { return msg_; }

 private:
  natsMsg* msg_;
  uint64_t deliveries_ = 1;
  uint64_t stream_sequence_ = 0;
  bool discarded_ = false;
};

// Returns once it has durably taken the batch over; throws to refuse it: every message not
// discarded is then redelivered later, to this or another process, and counts one delivery
// towards the consumer's MaxDeliver. Throwing util::Unavailable (its store is down) instead
// keeps the batch in this consumer, in progress, and calls the handler again with it after a
// pause, so an outage of any length spends no deliveries.
using MessageBatchHandler = std::function<void(std::vector<ReceivedMessage>& batch)>;

struct PullOptions {
  int batch = 256;                             // messages per fetch
  std::chrono::milliseconds fetch_wait{5000};  // how long one pull request waits for messages
  std::chrono::milliseconds retry_wait{500};   // pause after a failed fetch, first pause when holding
  std::chrono::milliseconds hold_max{5000};    // longest pause while holding a batch (Unavailable)
  std::chrono::milliseconds nak_base{1000};    // redelivery delay after the first refusal,
  std::chrono::milliseconds nak_max{60000};    // doubling per delivery up to this
  // While the handler runs, the messages are reported in progress this often, so a slow handler
  // (backpressure) does not see its batch redelivered elsewhere. Keep it under the AckWait.
  std::chrono::milliseconds progress_interval{3000};
};

class PullConsumer {
 public:
  // Binds to the durable consumer `settings` names (create it first with ensure_consumer) and
  // starts the thread, named `thread_name`. `connection` must outlive the consumer.
  PullConsumer(NatsConnection& connection, const ConsumerSettings& settings, PullOptions options,
               MessageBatchHandler handler, std::shared_ptr<spdlog::logger> log, std::string thread_name);
  PullConsumer(const PullConsumer&) = delete;
  PullConsumer& operator=(const PullConsumer&) = delete;
  ~PullConsumer();  // stop()

  // Returns once the thread has ended: the handler is never called again. Messages fetched but
  // not yet handed over are nak'ed at once, so another process takes them without waiting for
  // the AckWait. Called from inside the handler it only asks the thread to end.
  void stop();

  std::chrono::milliseconds nak_delay(uint64_t deliveries) const;
  std::chrono::milliseconds hold_delay(int attempt) const;

 private:
  void run();
  void handle(std::vector<MessageHandle> messages);
  void keep_in_progress();
  bool pause(std::chrono::milliseconds duration);  // false when stopping

  const std::string durable_;
  const PullOptions options_;
  MessageBatchHandler handler_;
  std::shared_ptr<spdlog::logger> log_;
  const std::string thread_name_;
  JetStreamHandle js_;
  SubscriptionHandle subscription_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool ended_ = false;  // run() has returned
  // The batch the handler is working on, for the progress thread.
  const std::vector<MessageHandle>* running_ = nullptr;
  std::chrono::steady_clock::time_point running_since_;
  std::mutex join_mutex_;
  std::thread thread_;
  std::thread::id consumer_thread_;  // thread_'s id, set by itself under mutex_
  std::thread progress_thread_;
};

}  // namespace ninja::events::nats
