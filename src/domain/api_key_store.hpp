#pragma once
// API keys: only their hashes and usage plans are stored. Servers read the whole (small) table
// into memory every few hundred milliseconds, so a revocation reaches them within a second.
#include <cstdint>
#include <string>
#include <vector>

#include "domain/api_key.hpp"
#include "util/completion.hpp"

namespace ninja::domain {

class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;

  // Fails with std::invalid_argument if the id exists.
  virtual void add_api_key(ApiKey key, util::Done done) = 0;
  // Every key, revoked ones included, oldest first.
  virtual void list_api_keys(util::Completion<std::vector<ApiKey>> done) = 0;
  // Marks the key revoked at `now_ms`; false if there is no such key (revoking twice keeps the
  // first time and answers true).
  virtual void revoke_api_key(std::string id, int64_t now_ms, util::Completion<bool> done) = 0;
};

}  // namespace ninja::domain
