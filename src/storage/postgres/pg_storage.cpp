#include "storage/postgres/pg_storage.hpp"

#include "storage/postgres/migrations.hpp"
#include "storage/postgres/pg_api_keys.hpp"
#include "storage/postgres/pg_deliveries.hpp"
#include "storage/postgres/pg_outbox.hpp"
#include "storage/postgres/pg_retention.hpp"
#include "storage/postgres/pg_store.hpp"

namespace ninja::storage::postgres {

namespace {
// Measured on 2 cores: four pipelined connections serve the most reads per second; more only add
// server processes competing for the same cores.
constexpr size_t kDefaultConnections = 4;
}  // namespace

bool is_postgres_url(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

Storage postgres_storage(const StorageOptions& options) {
  migrate(options.url, options.log.get());
  PoolOptions pool;
  pool.conninfo = options.url;
  pool.connections = options.connections > 0 ? options.connections : kDefaultConnections;
  pool.request_timeout = options.request_timeout;
  pool.log = options.log;
  pool.loops = options.loops;  // null: a loop thread of the pool's own
  GroupCommitOptions writes;
  writes.queue_timeout = options.request_timeout;
  auto shared = std::make_shared<PgShared>(std::move(pool), writes);
  return {std::make_unique<PgStore>(shared),
          std::make_unique<PgOutbox>(shared),
          std::make_unique<PgDeliveries>(shared),
          std::make_unique<PgApiKeys>(shared),
          nullptr,
          std::make_unique<PgRetention>(shared)};
}

}  // namespace ninja::storage::postgres
