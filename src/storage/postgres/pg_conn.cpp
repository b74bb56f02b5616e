#include "storage/postgres/pg_conn.hpp"

#include <libpq-fe.h>

#include <algorithm>

#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

void FinishConn::operator()(pg_conn* conn) const { PQfinish(conn); }

namespace {
void log_notice(void* sink, const char* message) {
  if (sink != nullptr) static_cast<spdlog::logger*>(sink)->debug("postgres notice: {}", one_line(message));
}
}  // namespace

void route_notices(pg_conn* conn, NoticeSink sink) { PQsetNoticeProcessor(conn, log_notice, sink); }

std::string connect_failure(const pg_conn* conn, const std::string& conninfo, const std::string& why) {
  std::string reason = conn != nullptr ? one_line(PQerrorMessage(conn)) : why.empty() ? "out of memory" : why;
  // libpq starts with 'connection to server at "H" (A), port P failed: ' which the target repeats.
  if (reason.starts_with("connection to server")) {
    if (const size_t failed = reason.find(" failed: "); failed != std::string::npos) reason.erase(0, failed + 9);
  }
  std::string target;
  try {
    target = conn != nullptr && PQhost(conn) != nullptr ? describe(conn) : describe(conninfo);
  } catch (const PgStartupError&) {
    target = "(unparsable connection string)";
  }
  return redact("postgres: cannot connect to " + target + ": " + reason, conninfo);
}

PgConn connect_blocking(const std::string& conninfo, std::chrono::seconds timeout, NoticeSink notices) {
  check_syntax(conninfo);
  const std::string seconds = std::to_string(std::max<int64_t>(1, timeout.count()));
  // Keywords before `dbname` are defaults the string may override; the fallback name only applies
  // when the string sets no application_name.
  const std::string options = session_options(conninfo, kSessionOptions);
  const char* const keywords[] = {"connect_timeout", "dbname", "fallback_application_name", "options", nullptr};
  const char* const values[] = {seconds.c_str(), conninfo.c_str(), kApplicationName, options.c_str(), nullptr};
  PgConn conn(PQconnectdbParams(keywords, values, 1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) throw PgStartupError(connect_failure(conn.get(), conninfo));
  route_notices(conn.get(), notices);
  return conn;
}

}  // namespace ninja::storage::postgres
