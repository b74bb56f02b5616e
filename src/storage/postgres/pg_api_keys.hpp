#pragma once
// API keys (hashes and usage plans) on PostgreSQL.
#include <memory>

#include "domain/api_key_store.hpp"
#include "storage/postgres/pg_shared.hpp"

namespace ninja::storage::postgres {

class PgApiKeys final : public domain::ApiKeyStore {
 public:
  explicit PgApiKeys(std::shared_ptr<PgShared> shared);

  void add_api_key(domain::ApiKey key, util::Done done) override;
  void list_api_keys(util::Completion<std::vector<domain::ApiKey>> done) override;
  void revoke_api_key(std::string id, int64_t now_ms, util::Completion<bool> done) override;

 private:
  std::shared_ptr<PgShared> shared_;
};

}  // namespace ninja::storage::postgres
