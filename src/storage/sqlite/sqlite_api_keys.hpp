#pragma once
// API keys on SQLite.
#include <memory>

#include "domain/api_key_store.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

class SqliteApiKeys final : public domain::ApiKeyStore {
 public:
  explicit SqliteApiKeys(std::shared_ptr<SqliteFile> file) : file_(std::move(file)) {}

  void add_api_key(domain::ApiKey key, util::Done done) override;
  void list_api_keys(util::Completion<std::vector<domain::ApiKey>> done) override;
  void revoke_api_key(std::string id, int64_t now_ms, util::Completion<bool> done) override;

 private:
  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
