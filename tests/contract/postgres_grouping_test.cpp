// Single statements submitted together share one Sync (one implicit transaction) to halve the
// server's work; a failing member must still fail alone, and the others, rolled back with it, must
// each commit exactly once when sent again.
#include <condition_variable>
#include <mutex>
#include <set>
#include <vector>

#include "postgres_test_support.hpp"
#include "storage/postgres/pg_pool.hpp"

namespace ninja::contract::pg {
namespace {

using postgres::PgPool;
using postgres::PgResult;
using postgres::PgSqlError;
using postgres::Statement;
using postgres::statement;

// Submits every statement with execute() at once and waits for all the completions.
struct Submitted {
  std::vector<PgResult> results;
  std::vector<std::exception_ptr> errors;
};
Submitted submit_together(PgPool& pool, std::vector<Statement> statements) {
  Submitted out;
  out.results.resize(statements.size());
  out.errors.resize(statements.size());
  std::mutex mutex;
  std::condition_variable changed;
  size_t done = 0;
  for (size_t i = 0; i < statements.size(); ++i) {
    pool.execute(std::move(statements[i]), [&, i](PgResult result, std::exception_ptr error) {
      std::lock_guard lock(mutex);
      out.results[i] = std::move(result);
      out.errors[i] = error;
      ++done;
      changed.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  changed.wait_for(lock, std::chrono::seconds(20), [&] { return done == out.results.size(); });
  EXPECT_EQ(done, out.results.size());
  return out;
}

std::string sqlstate_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const PgSqlError& e) {
    return e.sqlstate();
  } catch (const std::exception& e) {
    return std::string("not a PgSqlError: ") + e.what();
  }
}

class PostgresGrouping : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    postgres::PoolOptions options;
    options.conninfo = conninfo();
    options.connections = 1;
    pool_.emplace(options);
    pool_->run(statement("CREATE TABLE t (v INT)"));  // no key: a second commit of a row would show
    pool_->run(statement("SELECT $1::int", 0));       // prepared already, so the statements below group
    pool_->run(statement("INSERT INTO t VALUES ($1)", 0));
    pool_->run(statement("TRUNCATE t"));
  }
  std::optional<PgPool> pool_;
};

TEST_F(PostgresGrouping, StatementsSubmittedTogetherShareATransaction) {
  std::vector<Statement> statements;
  for (int i = 0; i < 50; ++i) statements.push_back(statement("SELECT txid_current()"));
  const auto out = submit_together(*pool_, std::move(statements));
  std::set<int64_t> transactions;
  for (size_t i = 0; i < out.results.size(); ++i) {
    ASSERT_EQ(out.errors[i], nullptr);
    transactions.insert(out.results[i].int64(0, 0));
  }
  EXPECT_LT(transactions.size(), 25U);
}

TEST_F(PostgresGrouping, AFailingMemberFailsAloneAndEveryOtherCommitsExactlyOnce) {
  std::vector<Statement> statements;
  for (int i = 0; i < 100; ++i) {
    statements.push_back(i == 50 ? statement("SELECT $1::int / 0", 1) : statement("INSERT INTO t VALUES ($1)", i));
  }
  const auto out = submit_together(*pool_, std::move(statements));
  for (size_t i = 0; i < out.errors.size(); ++i) {
    if (i == 50) {
      EXPECT_EQ(sqlstate_of(out.errors[i]), "22012");  // division by zero
    } else {
      EXPECT_EQ(out.errors[i], nullptr) << i;
      EXPECT_EQ(out.results[i].affected_rows(), 1) << i;
    }
  }
  EXPECT_EQ(pool_->run(statement("SELECT count(*) FROM t")).int64(0, 0), 99);
  EXPECT_EQ(pool_->run(statement("SELECT count(DISTINCT v) FROM t")).int64(0, 0), 99);
}

TEST_F(PostgresGrouping, BadSqlAmongOthersFailsWithItsOwnError) {
  std::vector<Statement> statements;
  for (int i = 0; i < 60; ++i) {
    statements.push_back(i % 20 == 10 ? statement("SELEC $1", i) : statement("SELECT $1::int", i));
  }
  const auto out = submit_together(*pool_, std::move(statements));
  for (size_t i = 0; i < out.errors.size(); ++i) {
    if (i % 20 == 10) {
      EXPECT_EQ(sqlstate_of(out.errors[i]), "42601") << i;  // the syntax error, not "does not exist"
    } else {
      ASSERT_EQ(out.errors[i], nullptr) << i;
      EXPECT_EQ(out.results[i].int64(0, 0), static_cast<int64_t>(i));
    }
  }
}

TEST_F(PostgresGrouping, SegmentsNeverJoinAGroup) {
  // A segment's statements must see only their own transaction: a failing single beside it must
  // not roll it back, and it must not roll back the singles.
  std::mutex mutex;
  std::condition_variable changed;
  int done = 0;
  std::exception_ptr segment_error;
  pool_->execute(statement("INSERT INTO t VALUES (1)"), [&](PgResult, std::exception_ptr) {});
  pool_->execute_segment({statement("INSERT INTO t VALUES ($1)", 2), statement("INSERT INTO t VALUES ($1)", 3)},
                         [&](std::vector<PgResult>, std::exception_ptr error) {
                           std::lock_guard lock(mutex);
                           segment_error = error;
                           ++done;
                           changed.notify_all();
                         });
  pool_->execute(statement("SELECT $1::int / 0", 1), [&](PgResult, std::exception_ptr) {
    std::lock_guard lock(mutex);
    ++done;
    changed.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(10), [&] { return done == 2; }));
  }
  EXPECT_EQ(segment_error, nullptr);
  EXPECT_EQ(pool_->run(statement("SELECT count(*) FROM t")).int64(0, 0), 3);
}

}  // namespace
}  // namespace ninja::contract::pg
