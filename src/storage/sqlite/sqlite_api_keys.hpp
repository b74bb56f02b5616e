#pragma once
// API keys on SQLite.
#include <memory>

#include "storage/api_key_store.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

class SqliteApiKeys final : public ApiKeyStore {
 public:
  explicit SqliteApiKeys(std::shared_ptr<SqliteFile> file) : file_(std::move(file)) {}

  void add_api_key(const domain::ApiKey& key) override;
  std::vector<domain::ApiKey> list_api_keys() override;
  bool revoke_api_key(std::string_view id, int64_t now_ms) override;

 private:
  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
