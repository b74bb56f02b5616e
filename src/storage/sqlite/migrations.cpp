#include "storage/sqlite/migrations.hpp"

#include <string>

#include "util/time.hpp"

namespace ninja::storage::sqlite {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "initial schema", R"sql(
CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  email          TEXT NOT NULL,
  email_key      TEXT NOT NULL,        -- lower-cased email: uniqueness is case-insensitive
  phone          TEXT,
  notify_channel TEXT NOT NULL,
  webhook_url    TEXT,
  webhook_secret TEXT,
  created_at     INTEGER NOT NULL      -- unix milliseconds
) WITHOUT ROWID;
-- Deleting a user removes the row, so a plain unique index means "unique among live users".
CREATE UNIQUE INDEX users_email_key ON users (email_key);

CREATE TABLE orders (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,            -- no foreign key: orders outlive their user
  items      TEXT NOT NULL,            -- JSON array of {sku, quantity, unit_price}
  currency   TEXT NOT NULL,
  total      INTEGER NOT NULL,         -- minor units
  status     TEXT NOT NULL,
  note       TEXT,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX orders_by_user ON orders (user_id, id);

-- Transactional outbox: written in the same transaction as the entity, published by the relay
-- in seq order. One writer connection commits, so seq never commits out of order.
CREATE TABLE outbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id     TEXT NOT NULL UNIQUE,
  type         TEXT NOT NULL,
  subject      TEXT NOT NULL,
  payload      TEXT NOT NULL,          -- the CloudEvent JSON
  created_at   INTEGER NOT NULL,
  published_at INTEGER
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;

CREATE TABLE idempotency_keys (
  scope       TEXT NOT NULL,           -- API key id, '' when auth is off
  key         TEXT NOT NULL,
  fingerprint TEXT NOT NULL,           -- SHA-256 of method, path and body
  resource_id TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
)sql"},
      {2, "outbox claims and notification deliveries", R"sql(
-- A relay claims events with a lease (claimed_by, claimed_until) so several relays can share the
-- outbox and a crashed relay's claims expire.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
CREATE INDEX outbox_unpublished_subject ON outbox (subject, seq) WHERE published_at IS NULL;

CREATE TABLE deliveries (
  event_id        TEXT NOT NULL,
  channel         TEXT NOT NULL,       -- the user's preferred channel
  order_id        TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  status          TEXT NOT NULL,       -- pending, delivered, failed, dead, skipped
  attempts        INTEGER NOT NULL,
  last_error      TEXT,
  event_time      INTEGER NOT NULL,    -- when the event committed (latency is measured from it)
  payload         TEXT NOT NULL,       -- the CloudEvent JSON
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  next_attempt_at INTEGER,             -- NULL once final (delivered, dead, skipped)
  claimed_by      TEXT,
  claimed_until   INTEGER,
  PRIMARY KEY (event_id, channel)      -- deduplication: one delivery per event and channel
) WITHOUT ROWID;
CREATE INDEX deliveries_by_order ON deliveries (order_id);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX deliveries_dead ON deliveries (updated_at) WHERE status = 'dead';
)sql"},
      {3, "api keys", R"sql(
CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,        -- public id, part of the key
  name        TEXT NOT NULL,
  key_hash    TEXT NOT NULL,           -- SHA-256 of the whole key; the key itself is never stored
  rate        REAL,                    -- usage plan: requests per second (NULL: the server default)
  burst       REAL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
) WITHOUT ROWID;
)sql"},
      {4, "write probe", R"sql(
-- One row the readiness check rewrites while commits are failing (a full disk): a commit that
-- changes it proves the disk takes writes again, so /readyz recovers without client traffic.
CREATE TABLE write_probe (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at INTEGER NOT NULL
);
)sql"},
  };
  return kMigrations;
}

int migrate(Database& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  int applied = 0;
  for (const auto& migration : migrations()) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const bool done = db.query("SELECT 1 FROM schema_migrations WHERE version = ?1")
                            .bind(1, static_cast<int64_t>(migration.version))
                            .step();
      if (done) {
        db.exec("COMMIT");
        continue;
      }
      db.exec(migration.sql);
      db.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)")
          .bind(1, static_cast<int64_t>(migration.version))
          .bind(2, migration.name)
          .bind(3, util::system_millis())
          .run();
      db.exec("COMMIT");
      ++applied;
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
  }
  return applied;
}

}  // namespace ninja::storage::sqlite
