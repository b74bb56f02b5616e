#include "storage/sqlite/sqlite_file.hpp"

#include "storage/sqlite/migrations.hpp"

namespace ninja::storage::sqlite {

std::unique_ptr<Database> open_writer(const std::string& path) {
  auto db = std::make_unique<Database>(path);
  db->exec("PRAGMA journal_mode = WAL");
  db->exec("PRAGMA synchronous = FULL");
  return db;
}

namespace {

// The writer's connection, migrated: the readers open a file whose schema is current.
std::unique_ptr<Database> open_migrated_writer(const std::string& path) {
  auto db = open_writer(path);
  migrate(*db);
  return db;
}

}  // namespace

SqliteFile::SqliteFile(const SqliteOptions& options)
    : path_(options.path),
      health_(options.metrics),
      writer_(std::make_unique<GroupCommitWriter>(open_migrated_writer(options.path), options.max_batch, health_)),
      readers_(options.path, options.readers) {}

}  // namespace ninja::storage::sqlite
