#pragma once
#include <string>

#include "storage/backup.hpp"

namespace ninja::storage::sqlite {

// Copies the database file with SQLite's online backup API: a consistent snapshot, taken while
// the service keeps writing. Throws SqliteError.
class SqliteBackup final : public Backup {
 public:
  explicit SqliteBackup(std::string source_path) : source_path_(std::move(source_path)) {}
  void write_to(const std::string& out_path) override;

 private:
  std::string source_path_;
};

}  // namespace ninja::storage::sqlite
