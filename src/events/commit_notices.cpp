#include "events/commit_notices.hpp"

namespace ninja::events {

class CommitNotices::Watch final : public Subscription {
 public:
  Watch(std::shared_ptr<CommitNotices> owner, std::list<std::function<void()>>::iterator position)
      : owner_(std::move(owner)), position_(position) {}
  ~Watch() override { stop(); }
  void stop() override {
    const auto owner = std::move(owner_);  // outlives the lock below, if this was the last owner
    if (!owner) return;
    std::lock_guard lock(owner->mutex_);
    owner->watchers_.erase(position_);
  }

 private:
  std::shared_ptr<CommitNotices> owner_;
  std::list<std::function<void()>>::iterator position_;
};

void CommitNotices::notify() {
  std::lock_guard lock(mutex_);
  for (const auto& notice : watchers_) notice();
}

std::unique_ptr<Subscription> CommitNotices::watch(std::function<void()> notice) {
  std::lock_guard lock(mutex_);
  watchers_.push_back(std::move(notice));
  return std::make_unique<Watch>(shared_from_this(), std::prev(watchers_.end()));
}

}  // namespace ninja::events
