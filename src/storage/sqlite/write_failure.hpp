#pragma once
// Why a write to the SQLite file failed, in the words an operator acts on: the disk is full (free
// space and the service heals by itself), the disk is failing (I/O), another process holds the lock
// (busy), or anything else. A full disk is a condition that passes, so callers see it as
// util::Unavailable (the API answers 503 with Retry-After), never as an internal error.
#include <exception>
#include <string_view>

#include "util/unavailable.hpp"

namespace ninja::storage::sqlite {

enum class WriteFailure { disk_full, io, busy, other };

std::string_view to_string(WriteFailure cause);

// The cause of `error` (a SqliteError, or anything a write threw).
WriteFailure classify_write_failure(const std::exception_ptr& error);

// The write could not be stored because the file system has no room (SQLITE_FULL, or an I/O error
// whose OS cause is ENOSPC/EDQUOT): nothing of it was committed.
class StorageFull : public util::Unavailable {
 public:
  using util::Unavailable::Unavailable;
};

// What the caller of a failed write hears: a full disk becomes StorageFull, the rest stays as it is.
std::exception_ptr for_caller(std::exception_ptr error);

}  // namespace ninja::storage::sqlite
