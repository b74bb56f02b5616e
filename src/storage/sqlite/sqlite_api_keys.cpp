#include "storage/sqlite/sqlite_api_keys.hpp"

#include <stdexcept>

namespace ninja::storage::sqlite {
namespace {

std::optional<double> optional_real(const Query& q, int column) {
  if (q.is_null(column)) return std::nullopt;
  return q.real(column);
}

}  // namespace

void SqliteApiKeys::add_api_key(domain::ApiKey key, util::Done done) {
  const std::string id = key.id;
  file_->submit(
      [key = std::move(key)](Database& db) {
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
      },
      [id, done = std::move(done)](std::exception_ptr error) {
        if (error) {
          try {
            std::rethrow_exception(error);
          } catch (const SqliteError& e) {
            if (e.is_constraint())
              error = std::make_exception_ptr(std::invalid_argument("an API key with id " + id + " exists"));
          } catch (...) {  // NOLINT(bugprone-empty-catch): passed on unchanged below
          }
        }
        done(error);
      });
}

void SqliteApiKeys::list_api_keys(util::Completion<std::vector<domain::ApiKey>> done) {
  file_->read<std::vector<domain::ApiKey>>(
      [](Database& db) {
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
      },
      std::move(done));
}

void SqliteApiKeys::revoke_api_key(std::string id, int64_t now_ms, util::Completion<bool> done) {
  file_->submit<bool>(
      [id = std::move(id), now_ms](Database& db) {
        if (!db.query("SELECT 1 FROM api_keys WHERE id = ?1").bind(1, id).step()) return false;
        db.query("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
            .bind(1, id)
            .bind(2, now_ms)
            .run();
        return true;
      },
      std::move(done));
}

}  // namespace ninja::storage::sqlite
