// The store's group commit on its own: concurrent writes share segments, a deadlock or
// serialization failure runs the batch again, a bad write is isolated by halving its batch, and
// closing fails what is still queued.
#include <condition_variable>
#include <mutex>
#include <vector>

#include "postgres_test_support.hpp"
#include "storage/postgres/group_commit.hpp"

namespace ninja::contract::pg {
namespace {

using postgres::GroupCommit;
using postgres::PgResult;
using postgres::PgSqlError;
using postgres::Statement;
using postgres::statement;

class PostgresGroupCommit : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    postgres::PoolOptions options;
    options.conninfo = conninfo();
    options.connections = 2;
    pool_.emplace(options);
    pool_->run(statement("CREATE TABLE t (v INT PRIMARY KEY)"));
    // Fails with `state` on its first `failures` calls (a sequence is not rolled back with them).
    pool_->run(statement("CREATE SEQUENCE tries"));
    pool_->run(
        statement("CREATE FUNCTION flaky(failures INT, state TEXT) RETURNS INT LANGUAGE plpgsql AS $$ BEGIN"
                  " IF nextval('tries') <= failures THEN RAISE EXCEPTION 'induced' USING ERRCODE = state; END IF;"
                  " RETURN 1; END $$"));
  }
  void TearDown() override {
    commits_.reset();
    pool_.reset();
    PostgresTest::TearDown();
  }
  GroupCommit& commits(postgres::GroupCommitOptions options = {}) {
    commits_ = std::make_shared<GroupCommit>(*pool_, options, std::vector<Statement>{});
    return *commits_;
  }

  // Submits every write at once and waits for all of them.
  std::vector<std::exception_ptr> run_together(GroupCommit& commits, std::vector<std::vector<Statement>> writes) {
    std::mutex mutex;
    std::condition_variable changed;
    size_t done = 0;
    std::vector<std::exception_ptr> errors(writes.size());
    for (size_t i = 0; i < writes.size(); ++i) {
      commits.submit(std::move(writes[i]), [&, i](std::vector<PgResult>, std::exception_ptr error) {
        std::lock_guard lock(mutex);
        errors[i] = error;
        ++done;
        changed.notify_all();
      });
    }
    std::unique_lock lock(mutex);
    EXPECT_TRUE(changed.wait_for(lock, std::chrono::seconds(20), [&] { return done == errors.size(); }));
    return errors;
  }
  int64_t rows() { return pool_->run(statement("SELECT count(*) FROM t")).int64(0, 0); }

  std::optional<postgres::PgPool> pool_;
  std::shared_ptr<GroupCommit> commits_;
};

std::vector<std::vector<Statement>> inserts(int from, int to) {
  std::vector<std::vector<Statement>> writes;
  for (int v = from; v < to; ++v) writes.push_back({statement("INSERT INTO t VALUES ($1)", v)});
  return writes;
}

TEST_F(PostgresGroupCommit, ADeadlockedBatchRunsAgainAndCommits) {
  auto& gc = commits();
  auto writes = inserts(0, 10);
  writes.push_back({statement("SELECT flaky(2, '40P01')")});
  const auto errors = run_together(gc, std::move(writes));
  for (const auto& error : errors) EXPECT_EQ(error, nullptr);
  EXPECT_EQ(rows(), 10);
}

TEST_F(PostgresGroupCommit, ASerializationFailureThatPersistsFailsTheBatchAfterTheRetries) {
  auto& gc = commits();
  const auto errors = run_together(gc, {{statement("SELECT flaky(100, '40001')")}});
  ASSERT_NE(errors[0], nullptr);
  try {
    std::rethrow_exception(errors[0]);
  } catch (const PgSqlError& e) {
    EXPECT_TRUE(e.is_retryable()) << e.what();
  }
  EXPECT_EQ(pool_->run(statement("SELECT last_value FROM tries")).int64(0, 0), 4);  // the first try and 3 more
}

TEST_F(PostgresGroupCommit, ABadWriteIsIsolatedByHalvingAndTheOthersCommitOnce) {
  auto& gc = commits();
  auto writes = inserts(0, 32);
  writes[21] = {statement("INSERT INTO t VALUES ($1)", 5)};  // a duplicate of write 5
  const auto errors = run_together(gc, std::move(writes));
  // The halves run concurrently, like any two requests: either of the two colliding writes wins.
  EXPECT_EQ((errors[5] != nullptr) + (errors[21] != nullptr), 1);
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i != 5 && i != 21) {
      EXPECT_EQ(errors[i], nullptr) << i;
    }
  }
  EXPECT_EQ(rows(), 31);
  // The first batch, then about two halvings per level down to the culprit: never one per write.
  EXPECT_LE(gc.segments(), 16U);
}

TEST_F(PostgresGroupCommit, ConcurrentWritesShareSegments) {
  auto& gc = commits();
  const auto errors = run_together(gc, inserts(0, 200));
  for (const auto& error : errors) EXPECT_EQ(error, nullptr);
  EXPECT_EQ(rows(), 200);
  EXPECT_LE(gc.segments(), 10U);
}

TEST_F(PostgresGroupCommit, ClosingFailsWhatIsQueuedAndRefusesMore) {
  postgres::GroupCommitOptions options;
  options.max_in_flight = 1;
  auto& gc = commits(options);
  std::mutex mutex;
  std::vector<std::exception_ptr> errors;
  std::condition_variable changed;
  auto record = [&](std::vector<PgResult>, std::exception_ptr error) {
    std::lock_guard lock(mutex);
    errors.push_back(error);
    changed.notify_all();
  };
  gc.submit({statement("SELECT pg_sleep(0.3)")}, record);  // keeps the one segment busy
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  gc.submit({statement("INSERT INTO t VALUES (1)")}, record);  // queued behind it
  gc.close();
  gc.submit({statement("INSERT INTO t VALUES (2)")}, record);  // refused at once
  std::unique_lock lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(5), [&] { return errors.size() == 3; }));
  int unavailable = 0;
  for (const auto& error : errors) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const postgres::PgUnavailable&) {
      ++unavailable;
    }
  }
  EXPECT_EQ(unavailable, 2);  // the queued and the refused one; the one in flight committed
  lock.unlock();
  EXPECT_EQ(rows(), 0);
}

}  // namespace
}  // namespace ninja::contract::pg
