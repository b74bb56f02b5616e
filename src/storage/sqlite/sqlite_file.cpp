#include "storage/sqlite/sqlite_file.hpp"

#include "storage/sqlite/migrations.hpp"

namespace ninja::storage::sqlite {

std::unique_ptr<Database> open_writer(const std::string& path) {
  auto db = std::make_unique<Database>(path);
  db->exec("PRAGMA journal_mode = WAL");
  db->exec("PRAGMA synchronous = FULL");
  return db;
}

SqliteFile::SqliteFile(const SqliteOptions& options) : path_(options.path), health_(options.metrics) {
  auto db = open_writer(options.path);
  migrate(*db);
  writer_ = std::make_unique<GroupCommitWriter>(std::move(db), options.max_batch, health_);
  readers_ = std::make_unique<ReadPool>(options.path, options.readers);
}

}  // namespace ninja::storage::sqlite
