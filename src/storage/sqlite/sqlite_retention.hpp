#pragma once
// Retention on SQLite: a purge batch is one job of the group commit (so it never holds the single
// writer for more than one short batch). Freed pages go to the file's free list and the next inserts
// reuse them: the file stops growing once the retention window is full, with no VACUUM (which would
// rewrite the whole file under the writer lock) and no auto_vacuum (pointer-map upkeep on every
// commit, to hand pages back that the next minutes of orders want again).
#include <memory>

#include "storage/retention.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

class SqliteRetention final : public Retention {
 public:
  explicit SqliteRetention(std::shared_ptr<SqliteFile> file) : file_(std::move(file)) {}

  void purge_done(int64_t before_ms, size_t limit, util::Completion<Purged> done) override;

 private:
  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
