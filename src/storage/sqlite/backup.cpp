#include "storage/sqlite/backup.hpp"

#include <sqlite3.h>

#include "storage/sqlite/database.hpp"

namespace ninja::storage::sqlite {

void SqliteBackup::write_to(const std::string& out_path) {
  Database source(source_path_);
  Database target(out_path);
  sqlite3_backup* job = sqlite3_backup_init(target.handle(), "main", source.handle(), "main");
  if (!job) target.fail(sqlite3_errcode(target.handle()));
  // Copy in steps so the live writer is blocked only briefly; a write in between restarts the copy.
  int rc = SQLITE_OK;
  while ((rc = sqlite3_backup_step(job, 256)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    if (rc != SQLITE_OK) sqlite3_sleep(10);
  }
  sqlite3_backup_finish(job);
  if (rc != SQLITE_DONE) target.fail(rc);
}

}  // namespace ninja::storage::sqlite
