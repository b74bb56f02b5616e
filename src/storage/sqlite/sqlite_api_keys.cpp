#include "storage/sqlite/sqlite_api_keys.hpp"

#include <stdexcept>

namespace ninja::storage::sqlite {
namespace {

std::optional<double> optional_real(const Query& q, int column) {
  if (q.is_null(column)) return std::nullopt;
  return q.real(column);
}

}  // namespace

void SqliteApiKeys::add_api_key(const domain::ApiKey& key) {
  try {
    file_->writer().write([&](Database& db) {
      db.query(
            "INSERT INTO api_keys (id, name, key_hash, rate, burst, created_at, revoked_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
          .bind(1, key.id)
          .bind(2, key.name)
          .bind(3, key.hash)
          .bind(4, key.rate)
          .bind(5, key.burst)
          .bind(6, key.created_at_ms)
          .bind(7, key.revoked_at_ms)
          .run();
    });
  } catch (const SqliteError& e) {
    if (e.is_constraint()) throw std::invalid_argument("an API key with id " + key.id + " exists");
    throw;
  }
}

std::vector<domain::ApiKey> SqliteApiKeys::list_api_keys() {
  return file_->readers().with_connection([](Database& db) {
    auto q = db.query(
        "SELECT id, name, key_hash, rate, burst, created_at, revoked_at FROM api_keys ORDER BY created_at, id");
    std::vector<domain::ApiKey> keys;
    while (q.step()) {
      domain::ApiKey key;
      key.id = q.text(0);
      key.name = q.text(1);
      key.hash = q.text(2);
      key.rate = optional_real(q, 3);
      key.burst = optional_real(q, 4);
      key.created_at_ms = q.int64(5);
      key.revoked_at_ms = q.optional_int64(6);
      keys.push_back(std::move(key));
    }
    return keys;
  });
}

bool SqliteApiKeys::revoke_api_key(std::string_view id, int64_t now_ms) {
  return file_->write<bool>([&](Database& db) {
    if (!db.query("SELECT 1 FROM api_keys WHERE id = ?1").bind(1, id).step()) return false;
    db.query("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
        .bind(1, id)
        .bind(2, now_ms)
        .run();
    return true;
  });
}

}  // namespace ninja::storage::sqlite
