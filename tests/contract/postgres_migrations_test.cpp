// The PostgreSQL schema: migrations create every table, are idempotent, and several processes
// starting at once (here: threads with connections of their own) apply each migration once.
#include <atomic>
#include <thread>
#include <vector>

#include "postgres_test_support.hpp"

namespace ninja::contract::pg {
namespace {

class PostgresMigrations : public PostgresTest {
 protected:
  int64_t count(const std::string& sql) { return admin().scalar(sql); }
  int64_t recorded() { return count("SELECT count(*) FROM " + schema_ + ".schema_migrations"); }
};

TEST_F(PostgresMigrations, CreateEveryTableInTheConnectionsSchema) {
  const auto& all = postgres::migrations();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(postgres::migrate(conninfo()), static_cast<int>(all.size()));
  for (const char* table :
       {"users", "orders", "outbox", "idempotency_keys", "deliveries", "api_keys", "schema_migrations"}) {
    EXPECT_EQ(count("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema_ +
                    "' AND table_name = '" + table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(count("SELECT max(version) FROM " + schema_ + ".schema_migrations"), all.back().version);
}

TEST_F(PostgresMigrations, MigrateTwiceIsIdempotent) {
  EXPECT_GT(postgres::migrate(conninfo()), 0);
  EXPECT_EQ(postgres::migrate(conninfo()), 0);
  EXPECT_EQ(recorded(), static_cast<int64_t>(postgres::migrations().size()));
}

TEST_F(PostgresMigrations, ConcurrentMigrationsApplyEachMigrationOnce) {
  constexpr int kProcesses = 6;
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kProcesses; ++i) {
    threads.emplace_back([&] {
      try {
        applied += postgres::migrate(conninfo());
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), static_cast<int>(postgres::migrations().size()));
  EXPECT_EQ(recorded(), static_cast<int64_t>(postgres::migrations().size()));
}

TEST_F(PostgresMigrations, LiveEmailKeysAreUniqueAndADeletedUserFreesIt) {
  postgres::migrate(conninfo());
  Admin db(conninfo());
  const std::string insert = "INSERT INTO users (id, name, email, email_key, notify_channel, created_at) VALUES ";
  db.exec(insert + "('u1', 'Ann', 'Ann@Example.com', 'ann@example.com', 'email', 1)");
  try {
    db.exec(insert + "('u2', 'Ann2', 'ann@example.COM', 'ann@example.com', 'email', 2)");
    FAIL() << "a second live user with the same email key must be refused";
  } catch (const postgres::PgSqlError& e) {
    EXPECT_TRUE(e.is_unique_violation()) << e.what();
  }
  db.exec("DELETE FROM users WHERE id = 'u1'");
  db.exec(insert + "('u2', 'Ann2', 'ann@example.COM', 'ann@example.com', 'email', 2)");
}

TEST_F(PostgresMigrations, IdsSortByBytesAsOnEveryBackend) {
  postgres::migrate(conninfo());
  Admin db(conninfo());
  db.exec(
      "INSERT INTO orders (id, user_id, items, currency, total, status, created_at) VALUES "
      "('a', 'u', '[]', 'EUR', 0, 'created', 1), ('B', 'u', '[]', 'EUR', 0, 'created', 1), "
      "('_', 'u', '[]', 'EUR', 0, 'created', 1), ('~', 'u', '[]', 'EUR', 0, 'created', 1)");
  const auto rows = db.exec("SELECT id FROM orders WHERE id < '~' ORDER BY id DESC");
  ASSERT_EQ(rows.rows(), 3);
  EXPECT_EQ(rows.string(0, 0), "a");
  EXPECT_EQ(rows.string(1, 0), "_");
  EXPECT_EQ(rows.string(2, 0), "B");
}

}  // namespace
}  // namespace ninja::contract::pg
