#pragma once
#include <string_view>
#include <vector>

#include "storage/sqlite/database.hpp"

namespace ninja::storage::sqlite {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The schema history, oldest first. Never edit a released migration: append a new one.
const std::vector<Migration>& migrations();

// Applies the migrations newer than the database's version, each in its own transaction.
// Safe to run concurrently from several processes (BEGIN IMMEDIATE serialises them). Returns how
// many were applied.
int migrate(Database& db);

}  // namespace ninja::storage::sqlite
