#pragma once
// The PostgreSQL schema, as numbered migrations applied in order and recorded in
// schema_migrations. It mirrors what the SQLite backend stores; timestamps are BIGINT unix
// milliseconds, as the domain speaks them.
#include <string>
#include <string_view>
#include <vector>

#include "storage/postgres/pg_conn.hpp"

namespace ninja::storage::postgres {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The schema history, oldest first. Never edit a released migration: append a new one.
const std::vector<Migration>& migrations();

// The advisory lock key migrations hold (database-wide): "ninja-or" in ASCII.
inline constexpr long long kMigrationLockKey = 0x6e696e6a612d6f72LL;

// Applies the migrations the database lacks, each in its own transaction, under a session-level
// advisory lock held for the whole run: processes starting together apply each migration once and
// the others then find it recorded. Tables go in the first schema of the connection's search_path.
// Returns how many this call applied. Throws PgStartupError if it cannot connect, PgSqlError if a
// migration fails (that migration is rolled back; earlier ones stay).
int migrate(const std::string& conninfo, NoticeSink notices = nullptr);
// The same on an open connection (idle, not in pipeline mode).
int migrate(pg_conn* conn);

}  // namespace ninja::storage::postgres
