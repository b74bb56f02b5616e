#include "storage/sqlite/commit_notices.hpp"

namespace ninja::storage::sqlite {

class CommitNotices::Watch final : public events::Subscription {
 public:
  Watch(CommitNotices& owner, std::list<std::function<void()>>::iterator position)
      : owner_(&owner), position_(position) {}
  ~Watch() override { stop(); }
  void stop() override {
    if (!owner_) return;
    std::lock_guard lock(owner_->mutex_);
    owner_->watchers_.erase(position_);
    owner_ = nullptr;
  }

 private:
  CommitNotices* owner_;
  std::list<std::function<void()>>::iterator position_;
};

void CommitNotices::notify() {
  std::lock_guard lock(mutex_);
  for (const auto& notice : watchers_) notice();
}

std::unique_ptr<events::Subscription> CommitNotices::watch(std::function<void()> notice) {
  std::lock_guard lock(mutex_);
  watchers_.push_back(std::move(notice));
  return std::make_unique<Watch>(*this, std::prev(watchers_.end()));
}

}  // namespace ninja::storage::sqlite
