#pragma once
// Wakes the relay when a write that appended outbox events has committed, so a new order reaches
// the bus within microseconds instead of after a polling interval.
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace ninja::storage::sqlite {

class EventSignal {
 public:
  void notify() {
    {
      std::lock_guard lock(mutex_);
      raised_ = true;
    }
    raised_cv_.notify_all();
  }

  // Returns at once if notify() ran since the last wait, else waits for it or for `timeout`.
  void wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    raised_cv_.wait_for(lock, timeout, [this] { return raised_; });
    raised_ = false;
  }

 private:
  std::mutex mutex_;
  std::condition_variable raised_cv_;
  bool raised_ = false;
};

}  // namespace ninja::storage::sqlite
