#pragma once
// Test handler for pull consumers: records every delivery and can refuse, discard or stall.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "events/nats/pull_consumer.hpp"
#include "nats_test_support.hpp"

namespace ninja::contract::nats_support {

struct Delivery {
  std::string subject;
  std::string msg_id;
  std::string data;
  uint64_t deliveries = 0;
  std::chrono::steady_clock::time_point at;
};

class Collector {
 public:
  // Decides a batch's fate before it is recorded as accepted: throw to refuse it.
  std::function<void(std::vector<nats::ReceivedMessage>&)> before;

  nats::MessageBatchHandler handler() {
    return [this](std::vector<nats::ReceivedMessage>& batch) {
      {
        std::lock_guard lock(mutex_);
        ++calls_;
        for (const auto& message : batch) {
          deliveries_.push_back({std::string(message.subject()),
                                 std::string(message.header("Nats-Msg-Id").value_or("")), std::string(message.data()),
                                 message.deliveries(), std::chrono::steady_clock::now()});
        }
      }
      if (before) before(batch);
      std::lock_guard lock(mutex_);
      for (const auto& message : batch) accepted_.insert(std::string(message.header("Nats-Msg-Id").value_or("")));
    };
  }

  std::vector<Delivery> deliveries() const {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }
  std::vector<Delivery> deliveries_of(const std::string& msg_id) const {
    std::vector<Delivery> found;
    for (const auto& delivery : deliveries()) {
      if (delivery.msg_id == msg_id) found.push_back(delivery);
    }
    return found;
  }
  std::set<std::string> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  size_t accepted_count() const { return accepted().size(); }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Delivery> deliveries_;
  std::set<std::string> accepted_;  // msg ids of batches the handler returned for
  int calls_ = 0;
};

}  // namespace ninja::contract::nats_support

#include "events/nats/jetstream_publisher.hpp"

namespace ninja::contract::nats_support {

inline nats::OutgoingMessage order_message(const nats::NatsAddress& address, const std::string& id) {
  return {address.subject("ninja.order.created"), id, {{"Ninja-Test", "yes"}}, R"({"id":")" + id + R"("})"};
}

// Counts completions; wait() returns the errors in publish order (nullptr = stored). The state is
// shared with the completions, so one arriving after a failed wait() touches nothing freed.
class PublishResults {
 public:
  explicit PublishResults(size_t count) : state_(std::make_shared<State>()) { state_->errors.resize(count); }

  nats::PublishCompletion completion(size_t index) {
    return [state = state_, index](std::exception_ptr error) {
      std::lock_guard lock(state->mutex);
      state->errors[index] = std::move(error);
      if (++state->done == state->errors.size()) state->all_done.notify_all();
    };
  }
  // Throws when the completions did not all come within `timeout` (a hang).
  std::vector<std::exception_ptr> wait(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(state_->mutex);
    if (!state_->all_done.wait_for(lock, timeout, [this] { return state_->done == state_->errors.size(); })) {
      throw std::runtime_error(std::to_string(state_->errors.size() - state_->done) + " completions missing");
    }
    return state_->errors;
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable all_done;
    std::vector<std::exception_ptr> errors;
    size_t done = 0;
  };
  std::shared_ptr<State> state_;
};

inline std::vector<std::exception_ptr> publish_all(nats::JetStreamPublisher& publisher,
                                                   std::vector<nats::OutgoingMessage> messages,
                                                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  PublishResults results(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) publisher.publish(std::move(messages[i]), results.completion(i));
  return results.wait(timeout);
}

inline size_t failures(const std::vector<std::exception_ptr>& errors) {
  size_t count = 0;
  for (const auto& error : errors) count += error != nullptr;
  return count;
}

inline std::string what(const std::exception_ptr& error) {
  if (!error) return "ok";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace ninja::contract::nats_support
