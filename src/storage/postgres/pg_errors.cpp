#include "storage/postgres/pg_errors.hpp"

#include <libpq-fe.h>

namespace ninja::storage::postgres {

bool is_transient_sqlstate(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return false;
  const std::string_view klass = sqlstate.substr(0, 2);
  return klass == "08" || klass == "53" || klass == "57" || klass == "58" || sqlstate == "25006";
}

std::string one_line(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  bool space = false;
  for (const char c : message) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::exception_ptr error_from_result(const pg_result* result, const pg_conn* conn, size_t statement) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string text = primary != nullptr  ? std::string(primary)
                     : result != nullptr ? one_line(PQresultErrorMessage(result))
                     : conn != nullptr   ? one_line(PQerrorMessage(conn))
                                         : std::string("unknown error");
  if (state == nullptr || is_transient_sqlstate(state) || (conn != nullptr && PQstatus(conn) == CONNECTION_BAD)) {
    const std::string code = state != nullptr ? state : "";
    return std::make_exception_ptr(
        PgUnavailable("postgres: " + text + (code.empty() ? "" : " (SQLSTATE " + code + ")"), code));
  }
  return std::make_exception_ptr(
      PgSqlError(state, "postgres: " + text + " (SQLSTATE " + std::string(state) + ")", statement));
}

}  // namespace ninja::storage::postgres
