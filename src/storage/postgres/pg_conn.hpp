#pragma once
// An owned libpq connection (PQfinish on destruction) and where its server notices go. libpq
// prints notices ("relation already exists, skipping") to stderr unless told otherwise, which would
// break the service's JSON log lines.
#include <chrono>
#include <memory>
#include <string>

#include <spdlog/logger.h>

extern "C" {
struct pg_conn;
}

namespace ninja::storage::postgres {

struct FinishConn {
  void operator()(pg_conn* conn) const;
};
using PgConn = std::unique_ptr<pg_conn, FinishConn>;

// The logger that receives a connection's notices (at debug level); null drops them. It must
// outlive the connection.
using NoticeSink = spdlog::logger*;
void route_notices(pg_conn* conn, NoticeSink sink);

// The application_name a connection reports unless the connection string sets one, so an operator
// sees the service's connections in pg_stat_activity.
inline constexpr const char* kApplicationName = "ninja-orders";
// Every statement of ours is a short point operation, for which PostgreSQL's JIT only costs: its
// threshold goes by the planner's cost estimate, which stale statistics (an outbox growing by
// thousands of rows a second) and the claim's disabled plan types inflate past it. Measured: the
// retention purge took 0.1 ms to run and 212 ms to compile, every second in every process. A
// default: settings in the connection string's own `options` (or PGOPTIONS) come after it and win.
inline constexpr const char* kSessionOptions = "-c jit=off";

// Why a connection attempt failed, as one line that names the target and never the password:
// "postgres: cannot connect to host=H port=P dbname=D user=U: <libpq's reason>".
// With no connection object (the attempt failed before libpq had one), `reason` says why.
std::string connect_failure(const pg_conn* conn, const std::string& conninfo, const std::string& reason = "");

// A blocking connection for startup work (migrations, admin commands): throws PgStartupError with
// connect_failure()'s line. `timeout` applies unless the string sets connect_timeout itself.
PgConn connect_blocking(const std::string& conninfo, std::chrono::seconds timeout, NoticeSink notices);

}  // namespace ninja::storage::postgres
