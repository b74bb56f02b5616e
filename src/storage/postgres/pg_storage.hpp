#pragma once
// Every port of one PostgreSQL database (see storage/open_storage.hpp), for `--store postgres://…`.
#include "storage/open_storage.hpp"

namespace ninja::storage::postgres {

// True for the URLs this backend takes: postgres:// and postgresql:// (libpq's URI forms).
bool is_postgres_url(const std::string& url);

// Migrates the schema (blocking, under the migration lock), connects the pool and hands out the
// ports, which share it. Throws PgStartupError (one line: host, port, database, user, never the
// password) when the server cannot be reached or refuses the login.
Storage postgres_storage(const StorageOptions& options);

}  // namespace ninja::storage::postgres
