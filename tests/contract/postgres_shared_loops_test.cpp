// The pool on event loops it shares (as `serve` runs it, with the HTTP server): a call made on
// loop i completes on loop i's thread, also a completion's next call (written while the
// connection hands out answers); calls from other threads still work, spread over the loops;
// every loop has a connection; the whole store works on the loops; and when the pool goes, the
// loops, which live on, hold nothing of it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "net/event_loops.hpp"
#include "postgres_test_support.hpp"
#include "storage/open_storage.hpp"
#include "storage/postgres/pg_pool.hpp"
#include "storage/postgres/pg_storage.hpp"
#include "util/completion.hpp"

namespace ninja::contract::pg {
namespace {

using postgres::PgPool;
using postgres::PgResult;
using postgres::PgUnavailable;
using postgres::statement;

// Where each completion ran (the loop index, or -1 for none) and what it answered.
class Landings {
 public:
  explicit Landings(size_t n) : loops_(n, -2), values_(n, -1), errors_(n) {}
  void land(size_t i, std::optional<size_t> loop, int64_t value, std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    loops_[i] = loop ? static_cast<int>(*loop) : -1;
    values_[i] = value;
    errors_[i] = std::move(error);
    ++done_;
    changed_.notify_all();
  }
  bool wait(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done_ >= loops_.size(); });
  }
  int loop(size_t i) {
    std::lock_guard lock(mutex_);
    return loops_[i];
  }
  int64_t value(size_t i) {
    std::lock_guard lock(mutex_);
    return values_[i];
  }
  std::exception_ptr error(size_t i) {
    std::lock_guard lock(mutex_);
    return errors_[i];
  }
  size_t done() {
    std::lock_guard lock(mutex_);
    return done_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int> loops_;
  std::vector<int64_t> values_;
  std::vector<std::exception_ptr> errors_;
  size_t done_ = 0;
};

void on_loop(net::EventLoops& loops, size_t index, std::function<void()> f) {
  boost::asio::post(loops.context(index), std::move(f));
}

class PostgresSharedLoops : public PostgresTest {
 protected:
  postgres::PoolOptions options(size_t connections) {
    postgres::PoolOptions options;
    options.conninfo = conninfo();
    options.connections = connections;
    options.request_timeout = std::chrono::seconds(20);
    options.loops = &loops_;
    return options;
  }
  net::EventLoops loops_{2, "test-loop"};
};

TEST_F(PostgresSharedLoops, ACallMadeOnALoopCompletesOnThatLoop) {
  PgPool pool(options(4));
  EXPECT_EQ(pool.connections(), 4u);
  constexpr size_t kPerLoop = 300;
  Landings landings(2 * kPerLoop);
  for (size_t loop = 0; loop < 2; ++loop) {
    on_loop(loops_, loop, [&, loop] {
      for (size_t k = 0; k < kPerLoop; ++k) {
        const size_t i = loop * kPerLoop + k;
        auto done = [&, i](PgResult result, std::exception_ptr error) {
          landings.land(i, loops_.current(), error ? -1 : result.int64(0, 0), error);
        };
        if (k % 3 == 0) {  // segments take the same way as single statements
          pool.execute_segment({statement("SELECT $1::bigint", static_cast<int64_t>(i))},
                               [done](std::vector<PgResult> results, std::exception_ptr error) {
                                 done(error ? PgResult() : std::move(results.front()), error);
                               });
        } else {
          pool.execute(statement("SELECT $1::bigint", static_cast<int64_t>(i)), done);
        }
      }
    });
  }
  ASSERT_TRUE(landings.wait());
  for (size_t i = 0; i < 2 * kPerLoop; ++i) {
    ASSERT_EQ(landings.error(i), nullptr) << i;
    EXPECT_EQ(landings.value(i), static_cast<int64_t>(i));
    EXPECT_EQ(landings.loop(i), static_cast<int>(i / kPerLoop)) << "request " << i << " changed threads";
  }
  EXPECT_GE(pool.stats().max_depth, 10u);  // still pipelined
}

TEST_F(PostgresSharedLoops, ACompletionsNextCallGoesOutAndStaysOnItsLoop) {
  PgPool pool(options(2));
  pool.run(statement("CREATE TABLE t (id BIGINT PRIMARY KEY)"));
  // Chains: each completion sends the next request from inside the completion (while its
  // connection is handing out answers), the way a notifier's or create's next step does; one in
  // three is a segment, one in ten fails with a duplicate key in the middle of a group.
  constexpr size_t kChains = 16;
  constexpr int kSteps = 60;
  Landings landings(kChains);
  std::vector<std::function<void(int)>> steps(kChains);
  std::atomic<bool> strayed{false};
  for (size_t c = 0; c < kChains; ++c) {
    const size_t loop = c % 2;
    steps[c] = [&, c, loop](int step) {
      if (step == kSteps) return landings.land(c, loops_.current(), step, nullptr);
      const int64_t id = static_cast<int64_t>(c) * 1000 + step;
      auto next = [&, c, loop, step](bool failed_as_expected, std::exception_ptr error) {
        if (loops_.current() != loop) strayed = true;
        if (error && !failed_as_expected) return landings.land(c, loops_.current(), step, error);
        steps[c](step + 1);
      };
      if (step % 10 == 9) {
        pool.execute(statement("INSERT INTO t VALUES ($1)", id - 1), [next](PgResult, std::exception_ptr error) {
          next(error != nullptr, error ? nullptr : std::make_exception_ptr(std::runtime_error("no duplicate?")));
        });
      } else if (step % 3 == 0) {
        pool.execute_segment({statement("INSERT INTO t VALUES ($1)", id), statement("SELECT 1")},
                             [next](std::vector<PgResult>, std::exception_ptr error) { next(false, error); });
      } else {
        pool.execute(statement("INSERT INTO t VALUES ($1)", id),
                     [next](PgResult, std::exception_ptr error) { next(false, error); });
      }
    };
    on_loop(loops_, loop, [&, c] { steps[c](0); });
  }
  ASSERT_TRUE(landings.wait());
  for (size_t c = 0; c < kChains; ++c) {
    EXPECT_EQ(landings.error(c), nullptr) << c;
    EXPECT_EQ(landings.value(c), kSteps) << c;
    EXPECT_EQ(landings.loop(c), static_cast<int>(c % 2)) << c;
  }
  EXPECT_FALSE(strayed) << "a completion ran on another loop than its call";
  // Every step but the duplicates committed, once.
  EXPECT_EQ(pool.run(statement("SELECT count(*) FROM t")).int64(0, 0), static_cast<int64_t>(kChains) * (kSteps - 6));
}

TEST_F(PostgresSharedLoops, CallsFromOtherThreadsWorkAndAreSpreadOverTheLoops) {
  PgPool pool(options(2));
  constexpr size_t kCalls = 1000;
  Landings landings(kCalls);
  std::vector<std::thread> callers;
  for (size_t t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (size_t i = t; i < kCalls; i += 4) {
        pool.execute(statement("SELECT $1::bigint", static_cast<int64_t>(i)),
                     [&, i](PgResult result, std::exception_ptr error) {
                       landings.land(i, loops_.current(), error ? -1 : result.int64(0, 0), error);
                     });
      }
    });
  }
  for (auto& caller : callers) caller.join();
  ASSERT_TRUE(landings.wait());
  std::set<int> used;
  for (size_t i = 0; i < kCalls; ++i) {
    ASSERT_EQ(landings.error(i), nullptr) << i;
    EXPECT_EQ(landings.value(i), static_cast<int64_t>(i));
    EXPECT_GE(landings.loop(i), 0) << "completions run on a loop";
    used.insert(landings.loop(i));
  }
  EXPECT_EQ(used, (std::set<int>{0, 1}));
  EXPECT_EQ(pool.run(statement("SELECT 4")).int64(0, 0), 4);  // the blocking form, from here
}

TEST_F(PostgresSharedLoops, EveryLoopGetsAConnection) {
  net::EventLoops three(3, "three");
  auto opts = options(1);
  opts.loops = &three;
  PgPool pool(opts);
  EXPECT_EQ(pool.connections(), 3u);
  EXPECT_EQ(backends(), 3);
  EXPECT_EQ(pool.stats().connections_up, 3u);
}

TEST_F(PostgresSharedLoops, BlockingCallsOnALoopAreRefused) {
  PgPool pool(options(2));
  std::promise<bool> refused;
  on_loop(loops_, 1, [&] {
    try {
      pool.run(statement("SELECT 1"));
      refused.set_value(false);
    } catch (const std::logic_error&) {
      refused.set_value(true);
    }
  });
  EXPECT_TRUE(refused.get_future().get());
}

TEST_F(PostgresSharedLoops, WhenThePoolGoesItsRequestsEndOnceAndTheLoopsHoldNothingOfIt) {
  constexpr size_t kCalls = 200;
  Landings landings(kCalls);
  {
    PgPool pool(options(2));
    std::promise<void> issued;
    on_loop(loops_, 0, [&] {
      for (size_t i = 0; i < kCalls; ++i) {
        // Slow ones still in flight at the end, fast ones answered: both end exactly once.
        pool.execute(statement(i % 2 ? "SELECT pg_sleep(10), 1::bigint" : "SELECT $1::bigint", static_cast<int64_t>(i)),
                     [&, i](PgResult, std::exception_ptr error) { landings.land(i, loops_.current(), 0, error); });
      }
      issued.set_value();
    });
    issued.get_future().wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(landings.wait(std::chrono::seconds(2)));
  size_t failed = 0;
  for (size_t i = 0; i < kCalls; ++i) {
    if (landings.error(i)) {
      EXPECT_THROW(std::rethrow_exception(landings.error(i)), PgUnavailable);
      ++failed;
    }
  }
  EXPECT_GE(failed, kCalls / 2);
  EXPECT_EQ(landings.done(), kCalls);
  // The loops run on (under ASan, a handler of the pool left on them would be a use after free).
  for (size_t loop = 0; loop < 2; ++loop) {
    std::promise<std::optional<size_t>> ran;
    on_loop(loops_, loop, [&] { ran.set_value(loops_.current()); });
    EXPECT_EQ(ran.get_future().get(), loop);
  }
  EXPECT_TRUE(eventually([&] { return backends() == 0; }));
}

// The whole PostgreSQL store as serve opens it: reads and group-committed writes made on loop i
// answer on loop i (each loop batches its own writes); the outbox's commit notices (LISTEN on the
// first loop) arrive.
TEST_F(PostgresSharedLoops, TheStoreRunsOnTheLoops) {
  storage::StorageOptions options;
  options.url = conninfo();
  options.connections = 2;
  options.loops = &loops_;
  auto storage = storage::postgres::postgres_storage(options);
  std::atomic<int> notices{0};
  auto watch = storage.outbox->watch_commits([&] { ++notices; });
  ASSERT_TRUE(eventually([&] { return notices > 0; }));  // the listener's first resync
  const int before = notices;

  constexpr size_t kWrites = 40;
  Landings writes(kWrites);
  for (size_t i = 0; i < kWrites; ++i) {
    on_loop(loops_, i % 2, [&, i] {
      domain::User user;
      user.id = "u" + std::to_string(i);
      user.name = "N";
      user.email = "u" + std::to_string(i) + "@example.com";
      user.created_at_ms = 1;
      events::Event event{"e" + std::to_string(i), "ninja.user.created", user.id, 1, "{}"};
      storage.store->create_user(
          user, event, std::nullopt, [&, i](domain::CreateOutcome outcome, std::exception_ptr e) {
            writes.land(i, loops_.current(), outcome.status == domain::CreateStatus::created ? 1 : 0, e);
          });
    });
  }
  ASSERT_TRUE(writes.wait());
  for (size_t i = 0; i < kWrites; ++i) {
    ASSERT_EQ(writes.error(i), nullptr) << i;
    EXPECT_EQ(writes.value(i), 1) << i;
    EXPECT_EQ(writes.loop(i), static_cast<int>(i % 2)) << i;
  }
  Landings reads(kWrites);
  for (size_t i = 0; i < kWrites; ++i) {
    on_loop(loops_, i % 2, [&, i] {
      storage.store->find_user("u" + std::to_string(i), [&, i](std::optional<domain::User> user, std::exception_ptr e) {
        reads.land(i, loops_.current(), user && user->email == "u" + std::to_string(i) + "@example.com", e);
      });
    });
  }
  ASSERT_TRUE(reads.wait());
  for (size_t i = 0; i < kWrites; ++i) {
    ASSERT_EQ(reads.error(i), nullptr) << i;
    EXPECT_EQ(reads.value(i), 1) << i;
    EXPECT_EQ(reads.loop(i), static_cast<int>(i % 2)) << i;
  }
  EXPECT_TRUE(eventually([&] { return notices > before; }));  // the writes' NOTIFY arrived
  watch->stop();

  // The loops' segments commit side by side: the same email from both loops at once is taken once.
  constexpr size_t kPairs = 20;
  Landings rivals(2 * kPairs);
  for (size_t loop = 0; loop < 2; ++loop) {
    on_loop(loops_, loop, [&, loop] {
      for (size_t p = 0; p < kPairs; ++p) {
        domain::User user;
        user.id = "r" + std::to_string(p) + "-" + std::to_string(loop);
        user.name = "R";
        user.email = "Rival" + std::to_string(p) + (loop ? "@EXAMPLE.com" : "@example.com");
        user.created_at_ms = 1;
        events::Event event{"er" + user.id, "ninja.user.created", user.id, 1, "{}"};
        const size_t i = 2 * p + loop;
        storage.store->create_user(user, event, std::nullopt,
                                   [&, i](domain::CreateOutcome outcome, std::exception_ptr e) {
                                     rivals.land(i, loops_.current(), static_cast<int64_t>(outcome.status), e);
                                   });
      }
    });
  }
  ASSERT_TRUE(rivals.wait());
  for (size_t p = 0; p < kPairs; ++p) {
    ASSERT_EQ(rivals.error(2 * p), nullptr);
    ASSERT_EQ(rivals.error(2 * p + 1), nullptr);
    const std::multiset<int64_t> outcomes{rivals.value(2 * p), rivals.value(2 * p + 1)};
    EXPECT_EQ(outcomes, (std::multiset<int64_t>{static_cast<int64_t>(domain::CreateStatus::created),
                                                static_cast<int64_t>(domain::CreateStatus::email_taken)}))
        << p;
  }
}

}  // namespace
}  // namespace ninja::contract::pg
