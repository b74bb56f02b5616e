#pragma once
// The in-process bus (`--bus inproc`, the default): publish() hands each batch straight to the
// subscribed handlers on the caller's thread and returns when they have accepted it. It keeps
// nothing itself and needs nothing more to be durable: the relay marks an event published only
// after every consumer accepted it, so until then the event is still in the outbox.
#include <mutex>
#include <string>
#include <vector>

#include "events/bus.hpp"

namespace ninja::events {

class InprocBus final : public Bus {
 public:
  void publish(const std::vector<Event>& events) override;
  void subscribe(std::string consumer, std::vector<std::string> types, BatchHandler handler) override;
  bool ready() override { return true; }

 private:
  struct Subscription {
    std::string consumer;
    std::vector<std::string> types;
    BatchHandler handler;
  };
  std::mutex mutex_;  // guards subscriptions_ against subscribe() racing publish()
  std::vector<Subscription> subscriptions_;
};

}  // namespace ninja::events
