#include "storage/sqlite/write_failure.hpp"

#include <sqlite3.h>

#include <cerrno>

#include "storage/sqlite/database.hpp"

namespace ninja::storage::sqlite {

std::string_view to_string(WriteFailure cause) {
  switch (cause) {
    case WriteFailure::disk_full:
      return "disk_full";
    case WriteFailure::io:
      return "io";
    case WriteFailure::busy:
      return "busy";
    case WriteFailure::other:
      break;
  }
  return "other";
}

WriteFailure classify_write_failure(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const StorageFull&) {
    return WriteFailure::disk_full;
  } catch (const SqliteError& e) {
    switch (e.code() & 0xFF) {
      case SQLITE_FULL:
        return WriteFailure::disk_full;
      case SQLITE_IOERR:
        // SQLite reports a short write as SQLITE_FULL, but growing the WAL index (-shm) or
        // truncating on a full file system comes back as SQLITE_IOERR_*, with ENOSPC underneath.
        return e.system_errno() == ENOSPC || e.system_errno() == EDQUOT ? WriteFailure::disk_full : WriteFailure::io;
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return WriteFailure::busy;
      default:
        return WriteFailure::other;
    }
  } catch (...) {
    return WriteFailure::other;
  }
}

std::exception_ptr for_caller(std::exception_ptr error) {
  if (!error || classify_write_failure(error) != WriteFailure::disk_full) return error;
  try {
    std::rethrow_exception(error);
  } catch (const StorageFull&) {
    return error;
  } catch (const std::exception& e) {
    return std::make_exception_ptr(StorageFull(std::string("the disk is full: ") + e.what()));
  }
}

}  // namespace ninja::storage::sqlite
