#include "storage/postgres/pg_shared.hpp"

namespace ninja::storage::postgres {

PgShared::PgShared(PoolOptions pool_options, GroupCommitOptions write_options)
    : options(std::move(pool_options)), pool(std::make_unique<PgPool>(options)) {
  schema = pool->run(statement("SELECT current_schema()")).string(0, 0);
  writes = std::make_shared<GroupCommit>(
      *pool, write_options,
      std::vector<Statement>{statement("SELECT pg_notify($1, current_schema())", kOutboxChannel)});
}

PgShared::~PgShared() {
  writes->close();
  writes.reset();  // its timer must go while the pool's loop is alive; its writes in flight need it not
  pool.reset();
}

}  // namespace ninja::storage::postgres
