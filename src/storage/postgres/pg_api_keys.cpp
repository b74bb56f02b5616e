#include "storage/postgres/pg_api_keys.hpp"

#include <stdexcept>

#include "storage/postgres/pg_rows.hpp"

namespace ninja::storage::postgres {

PgApiKeys::PgApiKeys(std::shared_ptr<PgShared> shared) : shared_(std::move(shared)) {}

void PgApiKeys::add_api_key(domain::ApiKey key, util::Done done) {
  auto insert = statement("INSERT INTO api_keys (" NINJA_PG_API_KEY_COLUMNS
                          ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING 1",
                          key.id, key.name, key.hash, key.rate, key.burst, key.created_at_ms, key.revoked_at_ms);
  query<bool>(
      *shared_->pool, std::move(insert), [](const PgResult& r) { return r.rows() == 1; },
      [id = key.id, done = std::move(done)](bool inserted, std::exception_ptr error) {
        if (!error && !inserted) {
          error = std::make_exception_ptr(std::invalid_argument("an API key with id " + id + " exists"));
        }
        done(error);
      });
}

void PgApiKeys::list_api_keys(util::Completion<std::vector<domain::ApiKey>> done) {
  query<std::vector<domain::ApiKey>>(
      *shared_->pool, statement("SELECT " NINJA_PG_API_KEY_COLUMNS " FROM api_keys ORDER BY created_at, id"),
      [](const PgResult& r) {
        std::vector<domain::ApiKey> keys;
        keys.reserve(static_cast<size_t>(r.rows()));
        for (int row = 0; row < r.rows(); ++row) keys.push_back(read_api_key(r, row));
        return keys;
      },
      std::move(done));
}

void PgApiKeys::revoke_api_key(std::string id, int64_t now_ms, util::Completion<bool> done) {
  // Revoking twice keeps the first time; the answer says whether the key exists at all.
  query<bool>(
      *shared_->pool,
      statement("WITH revoked AS (UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL)"
                " SELECT count(*) FROM api_keys WHERE id = $1",
                id, now_ms),
      [](const PgResult& r) { return r.int64(0, 0) == 1; }, std::move(done));
}

}  // namespace ninja::storage::postgres
