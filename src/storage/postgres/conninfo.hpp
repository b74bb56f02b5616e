#pragma once
// What may be said about a connection string. A libpq URI or key=value string can hold a password,
// so it is never logged or put in an exception as given: describe() names the target (host, port,
// database, user) from libpq's own parse, and redact() removes the password's text from a message
// that may echo part of the string (libpq's parse errors quote the offending token).
#include <string>
#include <string_view>

extern "C" {
struct pg_conn;
}

namespace ninja::storage::postgres {

// "host=db.example port=5432 dbname=orders user=ninja": the parameters the string sets, in that
// order, with libpq's defaults for those it leaves out. Throws PgStartupError for a malformed string.
std::string describe(const std::string& conninfo);

// The same for a connection libpq has tried (the host and port it actually tried).
std::string describe(const pg_conn* conn);

// The `options` our connections start with: `defaults`, then what the string (or PGOPTIONS) sets,
// so the operator's settings win. Throws PgStartupError for a malformed string.
std::string session_options(const std::string& conninfo, std::string_view defaults);

// Throws PgStartupError ("postgres: invalid connection string: ...") unless libpq can parse it.
void check_syntax(const std::string& conninfo);

// `message` with every appearance of a password-like part of `conninfo` replaced by "***": the
// userinfo of a URI after its ':' (raw and percent-decoded), and password= values.
std::string redact(std::string_view message, std::string_view conninfo);

}  // namespace ninja::storage::postgres
