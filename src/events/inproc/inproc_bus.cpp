#include "events/inproc/inproc_bus.hpp"

#include <algorithm>

namespace ninja::events {

void InprocBus::publish(const std::vector<Event>& events) {
  std::vector<Subscription> subscriptions;
  {
    std::lock_guard lock(mutex_);
    subscriptions = subscriptions_;
  }
  for (const auto& subscription : subscriptions) {
    std::vector<Event> wanted;
    for (const auto& event : events) {
      if (std::find(subscription.types.begin(), subscription.types.end(), event.type) != subscription.types.end()) {
        wanted.push_back(event);
      }
    }
    // An exception propagates to the relay, which keeps the batch and tries again later.
    if (!wanted.empty()) subscription.handler(wanted);
  }
}

void InprocBus::subscribe(std::string consumer, std::vector<std::string> types, BatchHandler handler) {
  std::lock_guard lock(mutex_);
  subscriptions_.push_back({std::move(consumer), std::move(types), std::move(handler)});
}

}  // namespace ninja::events
