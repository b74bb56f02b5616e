#include "storage/sqlite/sqlite_storage.hpp"

#include "storage/sqlite/backup.hpp"
#include "storage/sqlite/sqlite_api_keys.hpp"
#include "storage/sqlite/sqlite_deliveries.hpp"
#include "storage/sqlite/sqlite_outbox.hpp"
#include "storage/sqlite/sqlite_retention.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace ninja::storage::sqlite {

Storage sqlite_storage(const std::shared_ptr<SqliteFile>& file) {
  return {std::make_unique<SqliteStore>(file),          std::make_unique<SqliteOutbox>(file),
          std::make_unique<SqliteDeliveries>(file),     std::make_unique<SqliteApiKeys>(file),
          std::make_unique<SqliteBackup>(file->path()), std::make_unique<SqliteRetention>(file)};
}

}  // namespace ninja::storage::sqlite
