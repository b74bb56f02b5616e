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
