#include "storage/sqlite/database.hpp"

#include <sqlite3.h>

namespace ninja::storage::sqlite {

bool SqliteError::is_constraint() const { return (code_ & 0xFF) == SQLITE_CONSTRAINT; }

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

namespace {
[[noreturn]] void throw_for(sqlite3* db, int code) {
  throw SqliteError(sqlite3_extended_errcode(db),
                    std::string("sqlite: ") + sqlite3_errmsg(db) + " (" + sqlite3_errstr(code) + ")",
                    sqlite3_system_errno(db));
}
void check_bind(sqlite3_stmt* stmt, int rc) {
  if (rc != SQLITE_OK) throw_for(sqlite3_db_handle(stmt), rc);
}
}  // namespace

Query& Query::bind(int index, std::string_view text) {
  check_bind(stmt_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8));
  return *this;
}

Query& Query::bind(int index, int64_t value) {
  check_bind(stmt_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Query& Query::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Query& Query::bind(int index, const std::optional<int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Query& Query::bind(int index, const std::optional<double>& value) {
  if (!value) return bind_null(index);
  check_bind(stmt_, sqlite3_bind_double(stmt_, index, *value));
  return *this;
}

Query& Query::bind_null(int index) {
  check_bind(stmt_, sqlite3_bind_null(stmt_, index));
  return *this;
}

bool Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_for(sqlite3_db_handle(stmt_), rc);
}

void Query::run() {
  while (step()) {
  }
}

int64_t Query::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string_view Query::text_view(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return data ? std::string_view(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string_view();
}

std::string Query::text(int column) const { return std::string(text_view(column)); }

std::optional<std::string> Query::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

double Query::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::optional<int64_t> Query::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

bool Query::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

namespace {

// SQLite keeps memory statistics by default, under a process-wide mutex it takes on every
// allocation (17 lock/unlock pairs per GET of an order); nothing here reads them. The setting is
// the library's, for the whole process, and only takes before the library initializes, which the
// first connection does: so it is made once, there, and a library already initialized by someone
// else keeps its statistics (sqlite3_config then refuses with SQLITE_MISUSE, harmlessly).
void configure_library_once() {
  [[maybe_unused]] static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

}  // namespace

Database::Database(const std::string& path) {
  configure_library_once();
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    throw SqliteError(rc, "sqlite: cannot open " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Another process (a CLI command, a backup) may briefly hold the write lock.
  sqlite3_busy_timeout(db_, 5000);
}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Database::fail(int code) const { throw_for(db_, code); }

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(sqlite3_extended_errcode(db_), "sqlite: " + message, sqlite3_system_errno(db_));
  }
}

Query Database::query(std::string_view sql) {
  auto [it, inserted] = statements_.try_emplace(sql.data(), nullptr);
  if (inserted) {
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &it->second, nullptr);
    if (rc != SQLITE_OK) {
      statements_.erase(it);
      throw_for(db_, rc);
    }
  }
  return Query(it->second);
}

int64_t Database::changes() const { return sqlite3_changes64(db_); }

}  // namespace ninja::storage::sqlite
