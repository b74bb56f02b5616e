#pragma once
// A thin RAII layer over sqlite3: one connection, cached prepared statements, typed binding.
// A Database is used by one thread at a time (connections are opened with SQLITE_OPEN_NOMUTEX).
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace ninja::storage::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message, int system_errno = 0)
      : std::runtime_error(message), code_(code), system_errno_(system_errno) {}
  int code() const { return code_; }  // extended result code
  // The OS error behind an I/O failure (ENOSPC, EIO…), 0 when none: tells a full disk from a broken one.
  int system_errno() const { return system_errno_; }
  bool is_constraint() const;

 private:
  int code_;
  int system_errno_;
};

// A prepared statement in use: binds by 1-based index, steps, reads columns, and resets itself
// (clearing bindings) when it goes out of scope so the cached statement can be reused.
class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  Query& bind(int index, std::string_view text);
  Query& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  // Text is bound without a copy (SQLITE_STATIC): it must outlive the statement's step, so a
  // temporary string cannot be bound.
  Query& bind(int index, std::string&& text) = delete;
  Query& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Query& bind(int index, int64_t value);
  Query& bind(int index, const std::optional<std::string>& text);
  Query& bind(int index, std::optional<std::string>&& text) = delete;  // as above
  Query& bind(int index, const std::optional<int64_t>& value);
  Query& bind(int index, const std::optional<double>& value);
  Query& bind_null(int index);

  bool step();  // true while a row is available; throws SqliteError on failure
  void run();   // steps to completion

  int64_t int64(int column) const;
  std::string text(int column) const;
  // The column's text without a copy: valid until the next step() or the query's end.
  std::string_view text_view(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<int64_t> optional_int64(int column) const;
  double real(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  // Opens (creating if needed) the file at `path`.
  explicit Database(const std::string& path);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(std::string_view sql);
  // A cached prepared statement for `sql` (which must outlive the Database: use literals).
  Query query(std::string_view sql);
  int64_t changes() const;
  sqlite3* handle() const { return db_; }
  [[noreturn]] void fail(int code) const;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace ninja::storage::sqlite
