#include "storage/postgres/pg_shared.hpp"

namespace ninja::storage::postgres {

PgShared::PgShared(PoolOptions pool_options, GroupCommitOptions write_options)
    : options(std::move(pool_options)), pool(std::make_unique<PgPool>(options)) {
  schema = pool->run(statement("SELECT current_schema()")).string(0, 0);
  for (size_t loop = 0; loop < pool->loops(); ++loop) {
    writes_by_loop.push_back(std::make_shared<GroupCommit>(
        *pool, pool->io(loop), write_options,
        std::vector<Statement>{statement("SELECT pg_notify($1, current_schema())", kOutboxChannel)}));
  }
}

PgShared::~PgShared() {
  for (auto& writes : writes_by_loop) writes->close();
  writes_by_loop.clear();  // their timers must go while the loops run; their writes in flight need them not
  pool.reset();
}

}  // namespace ninja::storage::postgres
