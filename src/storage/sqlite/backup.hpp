#pragma once
#include <string>

namespace ninja::storage::sqlite {

// Copies the database at `source_path` into `out_path` with SQLite's online backup API: a
// consistent snapshot, taken while the service keeps writing. Throws SqliteError.
void backup(const std::string& source_path, const std::string& out_path);

}  // namespace ninja::storage::sqlite
