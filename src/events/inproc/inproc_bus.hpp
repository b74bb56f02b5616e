#pragma once
// The in-process bus (`--bus inproc`, the default): publish() hands each batch straight to the
// subscribed handlers on the caller's thread and completes when they have accepted it. It keeps
// nothing itself and needs nothing more to be durable: the relay marks an event published only
// after every consumer accepted it, so until then the event is still in the outbox.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "events/bus.hpp"

namespace ninja::events {

class InprocBus final : public Bus {
 public:
  void publish(std::vector<Event> events, util::Completion<PublishResults> done) override;
  std::unique_ptr<Subscription> subscribe(std::string consumer, std::vector<std::string> types,
                                          BatchHandler handler) override;
  bool ready() override { return true; }
  bool reaches_other_processes() const override { return false; }

  struct Consumer;  // one subscription: its types, its handler and whether it still runs

 private:
  std::mutex mutex_;  // guards consumers_ against subscribe() and stop() racing publish()
  std::vector<std::shared_ptr<Consumer>> consumers_;
};

}  // namespace ninja::events
