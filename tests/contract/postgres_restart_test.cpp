// A real server crash and restart (`pg_ctl restart -m immediate`) under load, on a server of the
// test's own: requests in flight fail with PgUnavailable at once, requests during the outage fail
// fast (never hang to their deadline), the pool and the listener recover by themselves within
// seconds, and every acknowledged commit is still there afterwards; also on event loops the pool
// shares, where calls made on a loop keep completing on that loop across the restart.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "net/event_loops.hpp"
#include "postgres_private_server.hpp"
#include "storage/postgres/pg_listener.hpp"
#include "storage/postgres/pg_pool.hpp"

namespace ninja::contract::pg {
namespace {

using postgres::PgPool;
using postgres::PgResult;
using postgres::PgUnavailable;
using postgres::statement;

class PostgresRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto bin = PrivateServer::bindir();
    if (!bin) NINJA_PG_UNAVAILABLE("PostgreSQL server binaries not found (install postgresql or set NINJA_PG_BINDIR)");
    try {
      server_.emplace(*bin);
    } catch (const std::exception& e) {
      NINJA_PG_UNAVAILABLE(std::string("cannot start a private PostgreSQL: ") + e.what());
    }
  }
  postgres::PoolOptions options(size_t connections) const {
    postgres::PoolOptions options;
    options.conninfo = server_->url();
    options.connections = connections;
    options.request_timeout = std::chrono::seconds(10);
    return options;
  }
  std::optional<PrivateServer> server_;
};

// One request's fate: how long it took and how it ended.
struct Fate {
  std::chrono::steady_clock::duration took{};
  bool ok = false;
  bool unavailable = false;
};

TEST_F(PostgresRestart, InFlightRequestsFailFastAndThePoolRecoversWithEveryCommitKept) {
  PgPool pool(options(2));
  pool.run(statement("CREATE TABLE t (id BIGINT PRIMARY KEY)"));

  // Writers commit rows as fast as they can before, during and after the crash; a row counts as
  // acknowledged only when its segment completed without error.
  std::mutex mutex;
  std::vector<int64_t> acknowledged;
  std::vector<Fate> fates;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> next_id{0};
  std::atomic<int> in_flight{0};
  auto issue = [&] {
    const int64_t id = next_id++;
    const auto start = std::chrono::steady_clock::now();
    ++in_flight;
    pool.execute_segment({statement("INSERT INTO t VALUES ($1)", id), statement("SELECT 1")},
                         [&, id, start](std::vector<PgResult>, std::exception_ptr error) {
                           Fate fate{std::chrono::steady_clock::now() - start, !error, false};
                           if (error) {
                             try {
                               std::rethrow_exception(error);
                             } catch (const PgUnavailable&) {
                               fate.unavailable = true;
                             } catch (...) {  // NOLINT(bugprone-empty-catch): counted as neither
                             }
                           }
                           std::lock_guard lock(mutex);
                           if (fate.ok) acknowledged.push_back(id);
                           fates.push_back(fate);
                           --in_flight;
                         });
  };
  std::thread load([&] {
    while (!stop) {
      if (in_flight < 64) {
        issue();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
  });
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return acknowledged.size() > 200;
  }));
  server_->restart_immediately();
  const auto restarted = std::chrono::steady_clock::now();
  // The pool reconnects by itself and writes succeed again within seconds.
  size_t before = 0;
  {
    std::lock_guard lock(mutex);
    before = acknowledged.size();
  }
  EXPECT_TRUE(eventually(
      [&] {
        std::lock_guard lock(mutex);
        return acknowledged.size() > before + 200;
      },
      std::chrono::seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - restarted, std::chrono::seconds(5));
  stop = true;
  load.join();
  ASSERT_TRUE(eventually([&] { return in_flight == 0; }));

  std::lock_guard lock(mutex);
  size_t failed = 0;
  for (const Fate& fate : fates) {
    EXPECT_TRUE(fate.ok || fate.unavailable);       // nothing but success or 503
    EXPECT_LT(fate.took, std::chrono::seconds(3));  // nobody waited for the 10 s deadline
    if (!fate.ok) ++failed;
  }
  EXPECT_GT(failed, 0U) << "the crash should have failed the requests in flight";
  // Every acknowledged commit survived the crash.
  const int64_t stored = pool.run(statement("SELECT count(*) FROM t")).int64(0, 0);
  std::string ids = "{";
  for (size_t i = 0; i < acknowledged.size(); ++i) ids += (i ? "," : "") + std::to_string(acknowledged[i]);
  ids += "}";
  EXPECT_EQ(pool.run(statement("SELECT count(*) FROM t WHERE id = ANY($1::bigint[])", ids)).int64(0, 0),
            static_cast<int64_t>(acknowledged.size()));
  EXPECT_GE(stored, static_cast<int64_t>(acknowledged.size()));
}

TEST_F(PostgresRestart, OnSharedLoopsThePoolRecoversAndCallsStayOnTheirLoop) {
  net::EventLoops loops(2, "restart");  // outlives the pool
  auto opts = options(2);
  opts.loops = &loops;
  PgPool pool(opts);
  pool.run(statement("CREATE TABLE t (id BIGINT PRIMARY KEY)"));

  // On each loop, chains of inserts: every completion sends the chain's next insert from the loop
  // (as an HTTP request on that loop would), after a short pause when it failed.
  std::mutex mutex;
  std::vector<int64_t> acknowledged;
  std::vector<Fate> fates;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> next_id{0};
  std::atomic<int> chains{0};
  std::function<void(size_t)> issue = [&](size_t loop) {
    if (stop) {
      --chains;
      return;
    }
    const int64_t id = next_id++;
    const auto start = std::chrono::steady_clock::now();
    // (While only the other loop's connection is up again, a call is handed to that loop.)
    pool.execute(statement("INSERT INTO t VALUES ($1)", id), [&, id, start, loop](PgResult, std::exception_ptr error) {
      Fate fate{std::chrono::steady_clock::now() - start, !error, false};
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const PgUnavailable&) {
          fate.unavailable = true;
        } catch (...) {  // NOLINT(bugprone-empty-catch): counted as neither
        }
      }
      {
        std::lock_guard lock(mutex);
        if (fate.ok) acknowledged.push_back(id);
        fates.push_back(fate);
      }
      if (!error) return issue(loop);
      auto pause = std::make_shared<boost::asio::steady_timer>(loops.context(loop), std::chrono::milliseconds(5));
      pause->async_wait([&, pause, loop](const boost::system::error_code&) { issue(loop); });
    });
  };
  for (size_t loop = 0; loop < 2; ++loop) {
    for (int c = 0; c < 16; ++c) {
      ++chains;
      boost::asio::post(loops.context(loop), [&issue, loop] { issue(loop); });
    }
  }
  auto acknowledged_count = [&] {
    std::lock_guard lock(mutex);
    return acknowledged.size();
  };
  ASSERT_TRUE(eventually([&] { return acknowledged_count() > 200; }));
  server_->restart_immediately();
  const auto restarted = std::chrono::steady_clock::now();
  const size_t before = acknowledged_count();
  EXPECT_TRUE(eventually([&] { return acknowledged_count() > before + 200; }, std::chrono::seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - restarted, std::chrono::seconds(5));
  stop = true;
  ASSERT_TRUE(eventually([&] { return chains == 0; }));

  // Both connections are back on their loops: calls made on a loop complete there again.
  ASSERT_TRUE(eventually([&] { return pool.stats().connections_up == 2; }));
  for (size_t loop = 0; loop < 2; ++loop) {
    std::promise<std::optional<size_t>> landed;
    boost::asio::post(loops.context(loop), [&] {
      pool.execute(statement("SELECT 1"), [&](PgResult, std::exception_ptr) { landed.set_value(loops.current()); });
    });
    EXPECT_EQ(landed.get_future().get(), loop);
  }
  std::lock_guard lock(mutex);
  size_t failed = 0;
  for (const Fate& fate : fates) {
    EXPECT_TRUE(fate.ok || fate.unavailable);
    EXPECT_LT(fate.took, std::chrono::seconds(3));
    if (!fate.ok) ++failed;
  }
  EXPECT_GT(failed, 0U) << "the crash should have failed the requests in flight";
  std::string ids = "{";
  for (size_t i = 0; i < acknowledged.size(); ++i) ids += (i ? "," : "") + std::to_string(acknowledged[i]);
  ids += "}";
  EXPECT_EQ(pool.run(statement("SELECT count(*) FROM t WHERE id = ANY($1::bigint[])", ids)).int64(0, 0),
            static_cast<int64_t>(acknowledged.size()));
}

TEST_F(PostgresRestart, WhileTheServerIsDownRequestsFailAtOnceAndStartupFailsClearly) {
  PgPool pool(options(2));
  server_->stop_immediately();
  ASSERT_TRUE(eventually([&] { return !pool.ready(); }, std::chrono::seconds(5)));
  for (int i = 0; i < 20; ++i) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(pool.run(statement("SELECT 1")), PgUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  }
  try {
    PgPool another(options(1));
    ADD_FAILURE() << "startup must fail while the server is down";
  } catch (const postgres::PgStartupError& e) {
    EXPECT_NE(std::string(e.what()).find("port=" + std::to_string(server_->port())), std::string::npos) << e.what();
  }
  server_->start();
  EXPECT_TRUE(eventually([&] { return pool.stats().connections_up == 2; }, std::chrono::seconds(5)));
  EXPECT_EQ(pool.run(statement("SELECT 1")).int64(0, 0), 1);
}

TEST_F(PostgresRestart, ListenerListensAgainAfterARestart) {
  PgPool pool(options(1));
  std::mutex mutex;
  std::condition_variable changed;
  int resyncs = 0;
  std::vector<std::string> payloads;
  postgres::ListenerOptions listen;
  listen.conninfo = server_->url();
  listen.channel = "outbox";
  postgres::PgListener listener(pool.io(), listen, [&](std::string_view payload, bool resync) {
    std::lock_guard lock(mutex);
    if (resync) {
      ++resyncs;
    } else {
      payloads.emplace_back(payload);
    }
    changed.notify_all();
  });
  auto wait = [&](auto condition) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10), condition);
  };
  ASSERT_TRUE(wait([&] { return resyncs == 1; }));
  server_->restart_immediately();
  ASSERT_TRUE(wait([&] { return resyncs == 2; }));
  ASSERT_TRUE(eventually([&] {
    try {
      pool.run(statement("SELECT pg_notify('outbox', 'back')"));
      return true;
    } catch (const PgUnavailable&) {
      return false;
    }
  }));
  ASSERT_TRUE(wait([&] { return !payloads.empty(); }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(payloads.back(), "back");
}

}  // namespace
}  // namespace ninja::contract::pg
