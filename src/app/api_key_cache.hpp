#pragma once
// The API keys a running server accepts: the whole (small) table held in memory and re-read every
// `refresh` so `apikey create` and `apikey revoke`, run from another process, take effect within
// that time without touching the store on the request path.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/api_key.hpp"
#include "domain/api_key_store.hpp"
#include "http/gateway.hpp"

namespace ninja::app {

class ApiKeyCache {
 public:
  explicit ApiKeyCache(domain::ApiKeyStore& store);

  // Re-reads the table (called every refresh interval, and once at start, on a thread of its own:
  // it waits for the store).
  void reload();
  // The caller behind a presented key: known id, unrevoked, matching hash.
  std::optional<http::Caller> find(std::string_view presented) const;
  size_t live_keys() const;

 private:
  using Keys = std::unordered_map<std::string, domain::ApiKey>;
  domain::ApiKeyStore& store_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Keys> keys_;  // swapped whole on reload; readers copy the pointer
};

}  // namespace ninja::app
