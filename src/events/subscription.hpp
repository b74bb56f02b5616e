#pragma once
// A running subscription (to a bus, or to a store's commit notices). Destroying the handle stops
// it; once stop() has returned, its callback is never called again and none is still running, so
// the consumer behind it may be destroyed right after.
namespace ninja::events {

class Subscription {
 public:
  virtual ~Subscription() = default;
  virtual void stop() = 0;  // idempotent
};

}  // namespace ninja::events
