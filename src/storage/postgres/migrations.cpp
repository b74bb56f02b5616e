#include "storage/postgres/migrations.hpp"

#include <libpq-fe.h>

#include <chrono>

#include "storage/postgres/pg_errors.hpp"
#include "storage/postgres/pg_result.hpp"
#include "util/time.hpp"

namespace ninja::storage::postgres {

const std::vector<Migration>& migrations() {
  // Keys and ids are COLLATE "C": byte order, as SQLite compares them (keyset pages must sort the
  // same on every backend), and cheaper to compare than a locale's order.
  static const std::vector<Migration> kMigrations = {
      {1, "initial schema", R"sql(
CREATE TABLE users (
  id             TEXT COLLATE "C" PRIMARY KEY,
  name           TEXT NOT NULL,
  email          TEXT NOT NULL,
  email_key      TEXT COLLATE "C" NOT NULL,  -- the email lower-cased by the store: unique case-insensitively
  phone          TEXT,
  notify_channel TEXT NOT NULL,
  webhook_url    TEXT,
  webhook_secret TEXT,
  created_at     BIGINT NOT NULL              -- unix milliseconds
);
-- Deleting a user removes the row, so a plain unique index means "unique among live users".
CREATE UNIQUE INDEX users_email_key ON users (email_key);

CREATE TABLE orders (
  id         TEXT COLLATE "C" PRIMARY KEY,
  user_id    TEXT COLLATE "C" NOT NULL,       -- no foreign key: orders outlive their user
  items      TEXT NOT NULL,                   -- JSON array of {sku, quantity, unit_price}
  currency   TEXT NOT NULL,
  total      BIGINT NOT NULL,                 -- minor units
  status     TEXT NOT NULL,
  note       TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX orders_by_user ON orders (user_id, id);

-- Transactional outbox, written in the same transaction as the entity. seq comes from a sequence,
-- which is NOT commit order (a lower seq may commit later): readers look for every unpublished row
-- each time rather than past a high-water mark, and keep per-subject order by claiming only the
-- oldest unpublished event of a subject.
CREATE TABLE outbox (
  seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id      TEXT COLLATE "C" NOT NULL UNIQUE,
  type          TEXT NOT NULL,
  subject       TEXT COLLATE "C" NOT NULL,
  payload       TEXT NOT NULL,                -- the CloudEvent JSON
  created_at    BIGINT NOT NULL,
  published_at  BIGINT,
  claimed_by    TEXT,                         -- a relay's lease: owner and expiry
  claimed_until BIGINT
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_unpublished_subject ON outbox (subject, seq) WHERE published_at IS NULL;

CREATE TABLE idempotency_keys (
  scope       TEXT COLLATE "C" NOT NULL,      -- API key id, '' when auth is off
  key         TEXT COLLATE "C" NOT NULL,
  fingerprint TEXT NOT NULL,                  -- SHA-256 of method, path and body
  resource_id TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE deliveries (
  event_id        TEXT COLLATE "C" NOT NULL,
  channel         TEXT COLLATE "C" NOT NULL,  -- the user's preferred channel
  order_id        TEXT COLLATE "C" NOT NULL,
  user_id         TEXT COLLATE "C" NOT NULL,
  status          TEXT NOT NULL,              -- pending, delivered, failed, dead, skipped
  attempts        INTEGER NOT NULL,
  last_error      TEXT,
  event_time      BIGINT NOT NULL,            -- when the event committed (latency is measured from it)
  payload         TEXT NOT NULL,              -- the CloudEvent JSON
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  delivered_at    BIGINT,
  next_attempt_at BIGINT,                     -- NULL once final (delivered, dead, skipped)
  claimed_by      TEXT,
  claimed_until   BIGINT,
  PRIMARY KEY (event_id, channel)             -- deduplication: one delivery per event and channel
);
CREATE INDEX deliveries_by_order ON deliveries (order_id);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX deliveries_dead ON deliveries (updated_at) WHERE status = 'dead';

CREATE TABLE api_keys (
  id          TEXT COLLATE "C" PRIMARY KEY,   -- public id, part of the key
  name        TEXT NOT NULL,
  key_hash    TEXT NOT NULL,                  -- SHA-256 of the whole key; the key itself is never stored
  rate        DOUBLE PRECISION,               -- usage plan: requests per second (NULL: the server default)
  burst       DOUBLE PRECISION,
  created_at  BIGINT NOT NULL,
  revoked_at  BIGINT
);
)sql"},
  };
  return kMigrations;
}

namespace {

PgResult exec(pg_conn* conn, const std::string& sql) {
  PgResult result(PQexec(conn, sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    std::rethrow_exception(error_from_result(result.get(), conn));
  return result;
}

PgResult exec(pg_conn* conn, const char* sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& value : params) values.push_back(value.c_str());
  PgResult result(
      PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    std::rethrow_exception(error_from_result(result.get(), conn));
  return result;
}

void rollback(pg_conn* conn) {
  PQclear(PQexec(conn, "ROLLBACK"));  // nothing to do if the failure ended the transaction already
}

}  // namespace

int migrate(pg_conn* conn) {
  const std::string lock_key = std::to_string(kMigrationLockKey);
  exec(conn, "SELECT pg_advisory_lock(" + lock_key + ")");
  int applied = 0;
  try {
    exec(conn,
         "CREATE TABLE IF NOT EXISTS schema_migrations ("
         " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    for (const Migration& migration : migrations()) {
      const std::string version = std::to_string(migration.version);
      exec(conn, "BEGIN");
      try {
        if (exec(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", {version}).rows() > 0) {
          exec(conn, "COMMIT");
          continue;
        }
        exec(conn, std::string(migration.sql));
        exec(conn, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
             {version, std::string(migration.name), std::to_string(util::system_millis())});
        exec(conn, "COMMIT");
        ++applied;
      } catch (...) {
        rollback(conn);
        throw;
      }
    }
  } catch (...) {
    PQclear(PQexec(conn, ("SELECT pg_advisory_unlock(" + lock_key + ")").c_str()));
    throw;
  }
  exec(conn, "SELECT pg_advisory_unlock(" + lock_key + ")");
  return applied;
}

int migrate(const std::string& conninfo, NoticeSink notices) {
  PgConn conn = connect_blocking(conninfo, std::chrono::seconds(10), notices);
  return migrate(conn.get());
}

}  // namespace ninja::storage::postgres
