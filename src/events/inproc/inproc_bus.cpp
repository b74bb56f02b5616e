#include "events/inproc/inproc_bus.hpp"

#include <algorithm>

namespace ninja::events {

struct InprocBus::Consumer {
  std::vector<std::string> types;
  BatchHandler handler;
  std::mutex running;  // held while the handler runs, so stop() waits for a call in progress
  bool stopped = false;

  bool wants(const Event& event) const { return std::find(types.begin(), types.end(), event.type) != types.end(); }
};

namespace {

class InprocSubscription final : public Subscription {
 public:
  InprocSubscription(std::mutex& bus_mutex, std::vector<std::shared_ptr<InprocBus::Consumer>>& consumers,
                     std::shared_ptr<InprocBus::Consumer> consumer)
      : bus_mutex_(bus_mutex), consumers_(consumers), consumer_(std::move(consumer)) {}
  ~InprocSubscription() override { stop(); }

  void stop() override {
    if (!consumer_) return;
    {
      std::lock_guard lock(bus_mutex_);
      std::erase(consumers_, consumer_);
    }
    const auto consumer = std::move(consumer_);  // kept alive past the unlock below
    std::lock_guard running(consumer->running);  // waits for a batch being handled
    consumer->stopped = true;
  }

 private:
  std::mutex& bus_mutex_;
  std::vector<std::shared_ptr<InprocBus::Consumer>>& consumers_;
  std::shared_ptr<InprocBus::Consumer> consumer_;
};

}  // namespace

void InprocBus::publish(std::vector<Event> events, util::Completion<PublishResults> done) {
  std::vector<std::shared_ptr<Consumer>> consumers;
  {
    std::lock_guard lock(mutex_);
    consumers = consumers_;
  }
  PublishResults results(events.size());
  for (const auto& consumer : consumers) {
    std::vector<Event> wanted;
    std::vector<size_t> positions;
    for (size_t i = 0; i < events.size(); ++i) {
      if (consumer->wants(events[i])) {
        wanted.push_back(events[i]);
        positions.push_back(i);
      }
    }
    if (wanted.empty()) continue;
    std::lock_guard running(consumer->running);
    if (consumer->stopped) continue;
    try {
      consumer->handler(wanted);
    } catch (...) {
      // A refused batch stays unpublished for this consumer; the relay offers it again later.
      for (const size_t i : positions) results[i] = std::current_exception();
    }
  }
  done(std::move(results), nullptr);
}

std::unique_ptr<Subscription> InprocBus::subscribe(std::string /*consumer*/, std::vector<std::string> types,
                                                   BatchHandler handler) {
  auto consumer = std::make_shared<Consumer>();
  consumer->types = std::move(types);
  consumer->handler = std::move(handler);
  {
    std::lock_guard lock(mutex_);
    consumers_.push_back(consumer);
  }
  return std::make_unique<InprocSubscription>(mutex_, consumers_, std::move(consumer));
}

}  // namespace ninja::events
