#pragma once
// API keys: only their hashes and usage plans are stored. Servers read the whole (small) table
// into memory every few hundred milliseconds, so a revocation reaches them within a second.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/api_key.hpp"

namespace ninja::storage {

class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;

  // Throws std::invalid_argument if the id exists.
  virtual void add_api_key(const domain::ApiKey& key) = 0;
  // Every key, revoked ones included, oldest first.
  virtual std::vector<domain::ApiKey> list_api_keys() = 0;
  // Marks the key revoked at `now_ms`; false if there is no such key (revoking twice keeps the
  // first time and returns true).
  virtual bool revoke_api_key(std::string_view id, int64_t now_ms) = 0;
};

}  // namespace ninja::storage
