#include "app/api_key_cache.hpp"

namespace ninja::app {

ApiKeyCache::ApiKeyCache(domain::ApiKeyStore& store) : store_(store), keys_(std::make_shared<const Keys>()) {}

void ApiKeyCache::reload() {
  auto fresh = std::make_shared<Keys>();
  auto keys =
      util::await_result<std::vector<domain::ApiKey>>([&](auto done) { store_.list_api_keys(std::move(done)); });
  for (auto& key : keys) {
    if (!key.revoked_at_ms) fresh->emplace(key.id, std::move(key));
  }
  std::lock_guard lock(mutex_);
  keys_ = std::move(fresh);
}

std::optional<http::Caller> ApiKeyCache::find(std::string_view presented) const {
  const auto id = domain::api_key_id(presented);
  if (!id) return std::nullopt;
  std::shared_ptr<const Keys> keys;
  {
    std::lock_guard lock(mutex_);
    keys = keys_;
  }
  const auto it = keys->find(std::string(*id));
  if (it == keys->end() || !domain::api_key_matches(it->second, presented)) return std::nullopt;
  http::Caller caller{it->first, std::nullopt};
  if (it->second.rate) caller.plan = http::UsagePlan{*it->second.rate, it->second.burst.value_or(0)};
  return caller;
}

size_t ApiKeyCache::live_keys() const {
  std::lock_guard lock(mutex_);
  return keys_->size();
}

}  // namespace ninja::app
