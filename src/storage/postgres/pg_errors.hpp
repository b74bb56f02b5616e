#pragma once
// What the PostgreSQL layer throws. Three kinds, because callers react to each differently:
//  - PgUnavailable: the server cannot answer now (connection lost, no connection up, a deadline
//    passed, the server shutting down, disk full). A domain::Unavailable, so the client gets 503 and
//    retries; whether a write in flight committed is unknown, which is what idempotency keys are for.
//  - PgSqlError: the server answered with an error for this statement (a constraint, a deadlock):
//    the SQLSTATE says which, so the store layer can retry or translate it.
//  - PgStartupError: bad configuration found at startup (malformed URL, refused connection, failed
//    login). One line naming host, port and database, never the password.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "domain/errors.hpp"

extern "C" {
struct pg_conn;
struct pg_result;
}

namespace ninja::storage::postgres {

class PgUnavailable : public domain::Unavailable {
 public:
  explicit PgUnavailable(const std::string& message, std::string sqlstate = {})
      : domain::Unavailable(message), sqlstate_(std::move(sqlstate)) {}
  // Empty when the failure was on the client side (socket, deadline).
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

class PgSqlError : public std::runtime_error {
 public:
  // `statement` is the failing statement's index within its segment.
  PgSqlError(std::string sqlstate, const std::string& message, size_t statement = 0)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), statement_(statement) {}
  const std::string& sqlstate() const { return sqlstate_; }
  size_t statement() const { return statement_; }
  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  // Serialization failure or deadlock: the same transaction may succeed when run again.
  bool is_retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
  size_t statement_;
};

class PgStartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True for SQLSTATEs that mean "the server cannot work now" rather than "this statement is wrong":
// connection exceptions (08), insufficient resources (53: disk full, too many connections), operator
// intervention (57: shutdown, cancel, statement timeout), system errors (58), and a read-only
// transaction (25006: we reached a standby after a failover).
bool is_transient_sqlstate(std::string_view sqlstate);

// The exception for a failed result: PgUnavailable when transient or when the connection is gone
// (libpq reports those without an SQLSTATE), PgSqlError otherwise. `statement` as in PgSqlError.
std::exception_ptr error_from_result(const pg_result* result, const pg_conn* conn, size_t statement = 0);

// libpq's messages end with newlines and may span lines ("...failed: FATAL: ...\n\tIs the server
// running...?"): one line, whitespace collapsed, for logs and exceptions.
std::string one_line(std::string_view message);

}  // namespace ninja::storage::postgres
