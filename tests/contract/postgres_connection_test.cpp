// The pipelined connection pool against a real server: many requests in flight on few connections,
// segments as single transactions that fail whole and leave the connection usable, prepared
// statements reused per connection, SQL errors with their SQLSTATE, deadlines, and recovery after
// the server ends our connections.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

#include "postgres_test_support.hpp"
#include "storage/postgres/pg_pool.hpp"

namespace ninja::contract::pg {
namespace {

using postgres::PgPool;
using postgres::PgResult;
using postgres::PgSqlError;
using postgres::PgUnavailable;
using postgres::PoolOptions;
using postgres::statement;

// Counts completions and remembers each one's error, from whichever thread they arrive on.
class Outcomes {
 public:
  explicit Outcomes(size_t n) : errors_(n), values_(n, -1), calls_(n, 0) {}
  postgres::Callback<PgResult> slot(size_t i) {
    return [this, i](PgResult result, std::exception_ptr error) {
      std::lock_guard lock(mutex_);
      if (!error && result.rows() > 0) values_[i] = result.int64(0, 0);
      errors_[i] = error;
      ++calls_[i];
      ++done_;
      changed_.notify_all();
    };
  }
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done_ >= calls_.size(); });
  }
  std::exception_ptr error(size_t i) {
    std::lock_guard lock(mutex_);
    return errors_[i];
  }
  int64_t value(size_t i) {
    std::lock_guard lock(mutex_);
    return values_[i];
  }
  int calls(size_t i) {
    std::lock_guard lock(mutex_);
    return calls_[i];
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::exception_ptr> errors_;
  std::vector<int64_t> values_;
  std::vector<int> calls_;
  size_t done_ = 0;
};

template <class Error>
bool fails_with(const std::exception_ptr& error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const Error&) {
    return true;
  } catch (...) {
    return false;
  }
}

class PostgresConnection : public PostgresTest {
 protected:
  PoolOptions options(size_t connections) const {
    PoolOptions options;
    options.conninfo = conninfo();
    options.connections = connections;
    options.request_timeout = std::chrono::seconds(20);
    return options;
  }
};

TEST_F(PostgresConnection, ThousandReadsInFlightOnTwoConnections) {
  PgPool pool(options(2));
  EXPECT_EQ(backends(), 2);
  constexpr size_t kReads = 1000;
  Outcomes outcomes(kReads);
  for (size_t i = 0; i < kReads; ++i) pool.execute(statement("SELECT $1::bigint * 2", i), outcomes.slot(i));
  ASSERT_TRUE(outcomes.wait());
  for (size_t i = 0; i < kReads; ++i) {
    ASSERT_EQ(outcomes.error(i), nullptr) << i;
    EXPECT_EQ(outcomes.value(i), static_cast<int64_t>(2 * i)) << i;
    EXPECT_EQ(outcomes.calls(i), 1) << i;
  }
  // Pipelining really happened: far more requests were in flight on one connection than one.
  EXPECT_GE(pool.stats().max_depth, 100U);
  EXPECT_EQ(backends(), 2);  // and still only the pool's two connections
}

TEST_F(PostgresConnection, SegmentCommitsAsOneTransaction) {
  PgPool pool(options(1));
  pool.run(statement("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)"));
  const auto results = pool.run_segment({statement("INSERT INTO t VALUES ($1, $2)", 1, "a"),
                                         statement("INSERT INTO t VALUES ($1, $2) RETURNING id", 2, "b"),
                                         statement("SELECT count(*) FROM t")});
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(results[0].affected_rows(), 1);
  EXPECT_EQ(results[1].int64(0, 0), 2);
  EXPECT_EQ(results[2].int64(0, 0), 2);  // a later statement sees the earlier ones
  // One transaction: every statement of the segment ran under the same transaction id.
  const auto xids = pool.run_segment({statement("SELECT txid_current()"), statement("SELECT txid_current()")});
  EXPECT_EQ(xids[0].int64(0, 0), xids[1].int64(0, 0));
}

TEST_F(PostgresConnection, FailingStatementFailsTheWholeSegmentAndTheConnectionStaysUsable) {
  PgPool pool(options(1));
  pool.run(statement("CREATE TABLE t (id INT PRIMARY KEY)"));
  pool.run(statement("INSERT INTO t VALUES (1)"));
  try {
    pool.run_segment({statement("INSERT INTO t VALUES (3)"), statement("INSERT INTO t VALUES (1)"),
                      statement("INSERT INTO t VALUES (4)")});
    FAIL() << "a duplicate key must fail the segment";
  } catch (const PgSqlError& e) {
    EXPECT_TRUE(e.is_unique_violation()) << e.what();
    EXPECT_EQ(e.statement(), 1U);
  }
  EXPECT_EQ(pool.run(statement("SELECT count(*) FROM t")).int64(0, 0), 1);  // 3 rolled back, 4 never ran
  EXPECT_EQ(pool.stats().connects, 1U);                                     // no reconnect was needed
}

TEST_F(PostgresConnection, FailingSegmentsDoNotDisturbTheirNeighboursInThePipeline) {
  PgPool pool(options(1));
  pool.run(statement("CREATE TABLE t (id INT PRIMARY KEY)"));
  pool.run(statement("INSERT INTO t VALUES (0)"));
  constexpr size_t kSegments = 300;
  std::mutex mutex;
  std::condition_variable changed;
  size_t done = 0;
  std::vector<std::exception_ptr> errors(kSegments);
  for (size_t i = 0; i < kSegments; ++i) {
    // Every third segment collides with row 0; the others insert fresh rows.
    const int id = i % 3 == 0 ? 0 : static_cast<int>(i) + 1;
    pool.execute_segment({statement("INSERT INTO t VALUES ($1)", static_cast<int>(i) + 100000),
                          statement("INSERT INTO t VALUES ($1)", id)},
                         [&, i](std::vector<PgResult>, std::exception_ptr error) {
                           std::lock_guard lock(mutex);
                           errors[i] = error;
                           ++done;
                           changed.notify_all();
                         });
  }
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(20), [&] { return done == kSegments; }));
  }
  for (size_t i = 0; i < kSegments; ++i) {
    if (i % 3 == 0) {
      EXPECT_TRUE(fails_with<PgSqlError>(errors[i])) << i;
    } else {
      EXPECT_EQ(errors[i], nullptr) << i;
    }
  }
  EXPECT_EQ(pool.run(statement("SELECT count(*) FROM t")).int64(0, 0), 1 + 2 * 200);
  EXPECT_GE(pool.stats().max_depth, 10U);
}

TEST_F(PostgresConnection, StatementsArePreparedOncePerConnection) {
  PgPool pool(options(1));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(pool.run(statement("SELECT $1::int + 1", i)).int64(0, 0), i + 1);
  for (int i = 0; i < 20; ++i) pool.run(statement("SELECT $1::text", "x"));
  // The two statements above and this one.
  EXPECT_EQ(pool.run(statement("SELECT count(*) FROM pg_prepared_statements")).int64(0, 0), 3);
}

TEST_F(PostgresConnection, SessionsRunWithoutJit) {
  PgPool pool(options(1));
  // PostgreSQL's default is on (it JIT-compiled a 0.1 ms purge for 212 ms); our sessions start with it off.
  EXPECT_EQ(pool.run(statement("SELECT boot_val FROM pg_settings WHERE name = 'jit'")).string(0, 0), "on");
  EXPECT_EQ(pool.run(statement("SHOW jit")).string(0, 0), "off");
  // The connection string's own options (this test's search_path) still apply.
  EXPECT_NE(pool.run(statement("SELECT current_schema()")).string(0, 0), "public");
}

TEST_F(PostgresConnection, BadSqlFailsWithItsSqlstateAndCanBeRetried) {
  PgPool pool(options(1));
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      pool.run(statement("SELEC 1"));
      FAIL() << "a syntax error must fail";
    } catch (const PgSqlError& e) {
      EXPECT_EQ(e.sqlstate(), "42601") << e.what();  // the same error again, not "already exists"
    }
  }
  EXPECT_EQ(pool.run(statement("SELECT 7")).int64(0, 0), 7);
  EXPECT_THROW(pool.run_segment({statement("SELECT 1"), statement("SELECT nope")}), PgSqlError);
  EXPECT_EQ(pool.run_segment({statement("SELECT 1"), statement("SELECT 2")})[1].int64(0, 0), 2);
}

TEST_F(PostgresConnection, ValuesRoundTripAndNulBytesAreRejectedNotCut) {
  PgPool pool(options(1));
  pool.run(statement("CREATE TABLE t (id INT PRIMARY KEY, s TEXT, n BIGINT, d DOUBLE PRECISION, b BOOLEAN)"));
  const std::string text = "quote ' backslash \\ unicode \xC3\xA9 \xF0\x9F\x8D\x95";
  pool.run(statement("INSERT INTO t VALUES ($1, $2, $3, $4, $5)", 1, text, int64_t{-9007199254740993}, 0.1, true));
  pool.run(statement("INSERT INTO t VALUES ($1, $2, $3, $4, $5)", 2, std::nullopt, std::optional<int64_t>{},
                     std::optional<double>{}, false));
  const auto row = pool.run(statement("SELECT s, n, d, b FROM t ORDER BY id"));
  ASSERT_EQ(row.rows(), 2);
  EXPECT_EQ(row.string(0, 0), text);
  EXPECT_EQ(row.int64(0, 1), -9007199254740993);
  EXPECT_EQ(row.real(0, 2), 0.1);
  EXPECT_TRUE(row.boolean(0, 3));
  EXPECT_EQ(row.optional_string(1, 0), std::nullopt);
  EXPECT_EQ(row.optional_int64(1, 1), std::nullopt);
  EXPECT_FALSE(row.boolean(1, 3));
  try {
    pool.run(statement("INSERT INTO t (id, s) VALUES ($1, $2)", 3, std::string("cut\0here", 8)));
    FAIL() << "a NUL byte must be refused, not silently cut";
  } catch (const PgSqlError& e) {
    EXPECT_EQ(e.sqlstate(), "22021") << e.what();
  }
  EXPECT_EQ(pool.run(statement("SELECT count(*) FROM t")).int64(0, 0), 2);
}

TEST_F(PostgresConnection, RequestPastItsDeadlineFailsWithUnavailableAndThePoolRecovers) {
  auto opts = options(1);
  opts.request_timeout = std::chrono::milliseconds(300);
  PgPool pool(opts);
  const auto start = std::chrono::steady_clock::now();
  Outcomes outcomes(2);
  pool.execute(statement("SELECT pg_sleep(3)"), outcomes.slot(0));
  pool.execute(statement("SELECT 1"), outcomes.slot(1));  // stuck behind it in the pipeline
  ASSERT_TRUE(outcomes.wait(std::chrono::seconds(2)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(fails_with<PgUnavailable>(outcomes.error(0)));
  EXPECT_TRUE(fails_with<PgUnavailable>(outcomes.error(1)));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  // The stuck connection was replaced.
  EXPECT_TRUE(eventually([&] {
    try {
      return pool.run(statement("SELECT 5")).int64(0, 0) == 5;
    } catch (const PgUnavailable&) {
      return false;
    }
  }));
  EXPECT_EQ(pool.stats().connects, 2U);
}

TEST_F(PostgresConnection, LostConnectionsFailInFlightRequestsAndThePoolReconnects) {
  auto opts = options(2);
  opts.request_timeout = std::chrono::seconds(30);
  PgPool pool(opts);
  constexpr size_t kSlow = 40;
  Outcomes outcomes(kSlow);
  for (size_t i = 0; i < kSlow; ++i) pool.execute(statement("SELECT pg_sleep(5)"), outcomes.slot(i));
  ASSERT_TRUE(eventually([&] {
    return admin().scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app_ +
                          "' AND state = 'active'") == 2;
  }));
  const auto cut = std::chrono::steady_clock::now();
  EXPECT_EQ(terminate_backends(), 2);
  ASSERT_TRUE(outcomes.wait(std::chrono::seconds(3)));  // long before pg_sleep or the deadline ends
  EXPECT_LT(std::chrono::steady_clock::now() - cut, std::chrono::seconds(2));
  for (size_t i = 0; i < kSlow; ++i) {
    EXPECT_TRUE(fails_with<PgUnavailable>(outcomes.error(i))) << i;
    EXPECT_EQ(outcomes.calls(i), 1) << i;
  }
  EXPECT_TRUE(eventually([&] { return pool.stats().connections_up == 2; }, std::chrono::seconds(5)));
  EXPECT_EQ(pool.run(statement("SELECT 3")).int64(0, 0), 3);
  EXPECT_EQ(pool.stats().connects, 4U);
}

TEST_F(PostgresConnection, CompletionsRunOnThePoolThreadAndBlockingCallsThereAreRefused) {
  PgPool pool(options(1));
  std::promise<bool> refused;
  pool.execute(statement("SELECT 1"), [&](PgResult, std::exception_ptr) {
    try {
      pool.run(statement("SELECT 2"));
      refused.set_value(false);
    } catch (const std::logic_error&) {
      refused.set_value(true);
    }
  });
  EXPECT_TRUE(refused.get_future().get());
}

TEST_F(PostgresConnection, ShutdownFailsPendingRequestsExactlyOnce) {
  Outcomes outcomes(20);
  {
    PgPool pool(options(1));
    for (size_t i = 0; i < 20; ++i) pool.execute(statement("SELECT pg_sleep(10)"), outcomes.slot(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(outcomes.wait(std::chrono::seconds(1)));
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_TRUE(fails_with<PgUnavailable>(outcomes.error(i))) << i;
    EXPECT_EQ(outcomes.calls(i), 1) << i;
  }
}

}  // namespace
}  // namespace ninja::contract::pg
