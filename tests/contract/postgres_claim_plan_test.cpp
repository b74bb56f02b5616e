// The relay's claim keeps walking the partial index on seq when the planner's statistics lag
// behind a fast-growing outbox (autovacuum analyzes at most once a minute). Without the claim's own
// plan settings PostgreSQL then picks a bitmap scan over every unpublished row and a sort, which
// makes each claim slower the larger the backlog — just when the relay has to catch up.
#include <gtest/gtest.h>

#include <string>

#include "postgres_test_support.hpp"
#include "storage/postgres/migrations.hpp"
#include "storage/postgres/pg_outbox.hpp"
#include "storage/postgres/pg_pool.hpp"

namespace ninja::contract::pg {
namespace {

class PostgresClaimPlan : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    postgres::migrate(conninfo());
    // Statistics taken while the outbox held a handful of events, then a large backlog arrives
    // before the next analyze (kept away here, as the once-a-minute autovacuum would be).
    const std::string outbox = schema_ + ".outbox";
    admin().exec("ALTER TABLE " + outbox + " SET (autovacuum_enabled = false)");
    insert_events(outbox, 1, 40000, "1");  // long published
    insert_events(outbox, 40001, 40005, "NULL");
    admin().exec("ANALYZE " + outbox);
    insert_events(outbox, 40006, 80000, "NULL");  // the backlog the statistics have not seen
  }

  void insert_events(const std::string& outbox, int from, int to, const char* published_at) {
    admin().exec("INSERT INTO " + outbox + " (event_id, type, subject, payload, created_at, published_at)" +
                 " SELECT 'e' || g, 'ninja.user.created', 's' || g, '{}', g, " + published_at +
                 " FROM generate_series(" + std::to_string(from) + ", " + std::to_string(to) + ") g");
  }

  // The plan PostgreSQL chooses for the claim as the relay runs it.
  std::string plan() {
    postgres::PoolOptions options;
    options.conninfo = conninfo();
    options.connections = 1;
    postgres::PgPool pool(options);
    auto segment = postgres::claim_statements(256, {"relay", 1, 5000});
    segment.back().sql = "EXPLAIN " + segment.back().sql;
    const auto results = pool.run_segment(std::move(segment));
    std::string text;
    for (int row = 0; row < results.back().rows(); ++row) text += results.back().string(row, 0) + "\n";
    return text;
  }
};

TEST_F(PostgresClaimPlan, StaleStatisticsDoNotTurnTheClaimIntoAFullScan) {
  // It picks the oldest events by walking the partial index in seq order up to its limit, checks
  // each one's subject in the (subject, seq) index, and updates them by primary key: nothing scans,
  // sorts, hashes or copies the whole table or backlog.
  const std::string claim = plan();
  EXPECT_EQ(claim.find("Seq Scan"), std::string::npos) << claim;
  EXPECT_EQ(claim.find("Bitmap"), std::string::npos) << claim;
  EXPECT_EQ(claim.find("Sort"), std::string::npos) << claim;
  EXPECT_EQ(claim.find("Hash"), std::string::npos) << claim;
  EXPECT_EQ(claim.find("Materialize"), std::string::npos) << claim;
  EXPECT_NE(claim.find("Index Scan using outbox_unpublished_subject on outbox e"), std::string::npos) << claim;
  EXPECT_NE(claim.find("Index Scan using outbox_unpublished on outbox o"), std::string::npos) << claim;
  EXPECT_NE(claim.find("Index Scan using outbox_pkey on outbox"), std::string::npos) << claim;
}

}  // namespace
}  // namespace ninja::contract::pg
