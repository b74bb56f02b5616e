#pragma once
// Every port of one SQLite file (see storage/open_storage.hpp).
#include <memory>

#include "storage/open_storage.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

Storage sqlite_storage(const std::shared_ptr<SqliteFile>& file);

}  // namespace ninja::storage::sqlite
