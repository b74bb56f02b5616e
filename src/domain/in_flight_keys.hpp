#pragma once
// Idempotency keys whose first request is still being processed in this process, so a concurrent
// duplicate gets 409 instead of racing. Across processes the store's unique (scope, key) record
// decides: the loser's transaction writes nothing and it replays the winner's response.
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

namespace ninja::domain {

class InFlightKeys {
 public:
  class Lease {
   public:
    Lease(InFlightKeys& owner, std::string key) : owner_(&owner), key_(std::move(key)) {}
    Lease(Lease&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)), key_(std::move(other.key_)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (owner_) owner_->release(key_);
    }

   private:
    InFlightKeys* owner_;
    std::string key_;
  };

  // A lease on `key`, or nullopt if another request holds it.
  std::optional<Lease> try_acquire(std::string key) {
    std::lock_guard lock(mutex_);
    if (!keys_.insert(key).second) return std::nullopt;
    return std::optional<Lease>(std::in_place, *this, std::move(key));
  }

 private:
  void release(const std::string& key) {
    std::lock_guard lock(mutex_);
    keys_.erase(key);
  }
  std::mutex mutex_;
  std::unordered_set<std::string> keys_;
};

}  // namespace ninja::domain
