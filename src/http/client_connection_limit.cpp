#include "http/client_connection_limit.hpp"

namespace ninja::http {

ClientConnectionLimit::Slot::Slot(ClientConnectionLimit& limit, std::string address)
    : limit_(limit), address_(std::move(address)) {
  if (limit_.max_ == 0) return;
  std::lock_guard lock(limit_.mutex_);
  size_t& open = limit_.open_[address_];
  taken_ = counted_ = open < limit_.max_;
  if (counted_) ++open;
}

ClientConnectionLimit::Slot::~Slot() {
  if (!counted_) return;
  std::lock_guard lock(limit_.mutex_);
  auto it = limit_.open_.find(address_);
  if (it != limit_.open_.end() && --it->second == 0) limit_.open_.erase(it);
}

size_t ClientConnectionLimit::tracked_addresses() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

}  // namespace ninja::http
