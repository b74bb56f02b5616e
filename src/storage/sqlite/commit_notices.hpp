#pragma once
// Tells watchers (the relay) that a write which appended outbox events has committed, so a new
// order reaches the bus within microseconds instead of after a polling interval. Only writers in
// this process are seen; the relay's bounded polling covers the others.
#include <functional>
#include <list>
#include <memory>
#include <mutex>

#include "events/subscription.hpp"

namespace ninja::storage::sqlite {

class CommitNotices {
 public:
  // Calls every watcher (on the writer thread: watchers must be quick).
  void notify();
  std::unique_ptr<events::Subscription> watch(std::function<void()> notice);

 private:
  class Watch;
  std::mutex mutex_;  // held while watchers run, so a stopped watch is never called again
  std::list<std::function<void()>> watchers_;
};

}  // namespace ninja::storage::sqlite
