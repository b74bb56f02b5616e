#pragma once
// Tells watchers (the relay) that a write which appended outbox events has committed, so a new
// order reaches the bus within microseconds instead of after a polling interval. For backends
// without a signal of their own (SQLite, DynamoDB); only writers in this process are seen, and
// the relay's bounded polling covers the others.
#include <functional>
#include <list>
#include <memory>
#include <mutex>

#include "events/subscription.hpp"

namespace ninja::events {

// Held by shared_ptr: a watch keeps its notices alive, whichever of the two goes first.
class CommitNotices : public std::enable_shared_from_this<CommitNotices> {
 public:
  // Calls every watcher (on the writer thread: watchers must be quick).
  void notify();
  std::unique_ptr<Subscription> watch(std::function<void()> notice);

 private:
  class Watch;
  std::mutex mutex_;  // held while watchers run, so a stopped watch is never called again
  std::list<std::function<void()>> watchers_;
};

}  // namespace ninja::events
