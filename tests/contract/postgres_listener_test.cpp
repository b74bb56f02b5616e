// LISTEN/NOTIFY: the listener hears notifications on its channel, signals a resync once it starts
// listening, and listens again by itself after its connection is lost.
#include <condition_variable>
#include <mutex>
#include <vector>

#include "postgres_test_support.hpp"
#include "storage/postgres/pg_listener.hpp"
#include "storage/postgres/pg_pool.hpp"

namespace ninja::contract::pg {
namespace {

using postgres::ListenerOptions;
using postgres::PgListener;
using postgres::PgPool;
using postgres::statement;

// What a listener reported, for waiting on from the test thread.
class Heard {
 public:
  PgListener::OnNotify callback() {
    return [this](std::string_view payload, bool resync) {
      std::lock_guard lock(mutex_);
      if (resync) {
        ++resyncs_;
      } else {
        payloads_.emplace_back(payload);
      }
      changed_.notify_all();
    };
  }
  bool wait_resyncs(int n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return resyncs_ >= n; });
  }
  bool wait_payloads(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return payloads_.size() >= n; });
  }
  std::vector<std::string> payloads() {
    std::lock_guard lock(mutex_);
    return payloads_;
  }
  int resyncs() {
    std::lock_guard lock(mutex_);
    return resyncs_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> payloads_;
  int resyncs_ = 0;
};

class PostgresListener : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    postgres::PoolOptions options;
    // The pool runs under another application_name, so terminate_backends() hits the listener only.
    options.conninfo = with_search_path(base_url_, schema_);
    options.connections = 1;
    pool_.emplace(options);
  }
  void TearDown() override {
    listener_.reset();
    pool_.reset();
    PostgresTest::TearDown();
  }
  void listen(std::chrono::milliseconds ping = std::chrono::seconds(10)) {
    ListenerOptions options;
    options.conninfo = conninfo();
    options.channel = channel_;
    options.ping_interval = ping;
    listener_.emplace(pool_->io(), options, heard_.callback());
  }
  void notify(const std::string& payload) { pool_->run(statement("SELECT pg_notify($1, $2)", channel_, payload)); }

  std::string channel_ = random_name("Chan-");  // mixed case: the name must be quoted
  Heard heard_;
  std::optional<PgPool> pool_;
  std::optional<PgListener> listener_;
};

TEST_F(PostgresListener, HearsNotificationsInOrderAfterTheFirstResync) {
  listen();
  ASSERT_TRUE(heard_.wait_resyncs(1));
  EXPECT_TRUE(listener_->listening());
  for (int i = 0; i < 5; ++i) notify("p" + std::to_string(i));
  pool_->run(statement("SELECT pg_notify($1, $2)", channel_ + "-other", "not for us"));
  ASSERT_TRUE(heard_.wait_payloads(5));
  EXPECT_EQ(heard_.payloads(), (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4"}));
  EXPECT_EQ(heard_.resyncs(), 1);
}

TEST_F(PostgresListener, NotificationsCommitWithTheirTransaction) {
  listen();
  ASSERT_TRUE(heard_.wait_resyncs(1));
  // A failed segment's NOTIFY is rolled back with it; a committed one arrives.
  EXPECT_THROW(
      pool_->run_segment({statement("SELECT pg_notify($1, 'rolled back')", channel_), statement("SELECT 1 / 0")}),
      postgres::PgSqlError);
  pool_->run_segment({statement("SELECT pg_notify($1, 'committed')", channel_), statement("SELECT 1")});
  ASSERT_TRUE(heard_.wait_payloads(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(heard_.payloads(), (std::vector<std::string>{"committed"}));
}

TEST_F(PostgresListener, ListensAgainAfterItsConnectionIsLost) {
  listen();
  ASSERT_TRUE(heard_.wait_resyncs(1));
  EXPECT_EQ(terminate_backends(), 1);
  ASSERT_TRUE(heard_.wait_resyncs(2));  // reconnected, LISTENed again, and said it may have missed some
  EXPECT_EQ(listener_->listens(), 2U);
  notify("after");
  ASSERT_TRUE(heard_.wait_payloads(1));
  EXPECT_EQ(heard_.payloads().back(), "after");
}

TEST_F(PostgresListener, KeepsTryingWhileTheServerRefusesAndStopsCleanly) {
  ListenerOptions options;
  options.conninfo = with_password(base_url_, "certainly-wrong-" + random_name(""));
  options.channel = channel_;
  options.reconnect_max = std::chrono::milliseconds(50);
  {
    PgListener listener(pool_->io(), options, heard_.callback());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(listener.listening());
  }
  EXPECT_EQ(heard_.resyncs(), 0);
  EXPECT_EQ(pool_->run(statement("SELECT 1")).int64(0, 0), 1);  // the shared loop is unharmed
}

}  // namespace
}  // namespace ninja::contract::pg
