#pragma once
// Runs a function every `interval` on its own thread until destroyed (used for housekeeping such
// as purging expired idempotency keys). Exceptions from the function are reported, not fatal.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ninja::util {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> work,
               std::function<void(const std::exception&)> on_error)
      : interval_(interval), work_(std::move(work)), on_error_(std::move(on_error)), thread_([this] { loop(); }) {}
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;
  ~PeriodicTask() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      try {
        work_();
      } catch (const std::exception& e) {
        on_error_(e);
      }
      lock.lock();
    }
  }

  std::chrono::milliseconds interval_;
  std::function<void()> work_;
  std::function<void(const std::exception&)> on_error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ninja::util
