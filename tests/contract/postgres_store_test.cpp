// PostgreSQL-only properties of the store, beyond the shared contract: a batch with a bad write
// still commits the others, group commit really batches, two processes (two pools) racing for one
// idempotency key or one email let exactly one win, an outbox event that commits after a later
// one is claimed rather than skipped, claims skip rows another relay holds, and commit notices stay
// within their schema.
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/json/serialize.hpp>

#include "domain/representation.hpp"
#include "postgres_test_support.hpp"
#include "storage/postgres/pg_outbox.hpp"
#include "storage/postgres/pg_store.hpp"
#include "support/blocking_ports.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace ninja::contract::pg {
namespace {

using domain::CreateOutcome;
using domain::CreateStatus;
using postgres::PgShared;

// Collects completions arriving on the pool's thread.
template <class T>
class Answers {
 public:
  explicit Answers(size_t n) : values_(n), errors_(n) {}
  util::Completion<T> slot(size_t i) {
    return [this, i](T value, std::exception_ptr error) {
      std::lock_guard lock(mutex_);
      values_[i] = std::move(value);
      errors_[i] = error;
      ++done_;
      changed_.notify_all();
    };
  }
  void wait() {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, std::chrono::seconds(20), [&] { return done_ == values_.size(); }));
  }
  std::vector<T> values_;
  std::vector<std::exception_ptr> errors_;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t done_ = 0;
};

class PostgresStore : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    postgres::migrate(conninfo());
  }
  // One "process": a pool of its own and the store's views on it.
  std::shared_ptr<PgShared> open(size_t connections = 2) {
    postgres::PoolOptions options;
    options.conninfo = conninfo();
    options.connections = connections;
    return std::make_shared<PgShared>(options, postgres::GroupCommitOptions{});
  }
  domain::User user(const std::string& email) {
    domain::User u;
    u.id = ids_.next();
    u.name = "User";
    u.email = email;
    u.created_at_ms = util::system_millis();
    return u;
  }
  events::Event created(const domain::User& u) {
    return events::make_event(ids_.next(), events::kUserCreated, "/v1/users", u.id, u.created_at_ms,
                              boost::json::serialize(domain::to_json(u)));
  }
  int64_t count(const std::string& sql) { return admin().scalar(sql); }
  std::string table(const char* name) const { return schema_ + "." + name; }

  util::UuidV7Generator ids_{util::system_millis};
};

TEST_F(PostgresStore, WritesSubmittedTogetherCommitInFewSegments) {
  auto shared = open();
  postgres::PgStore store(shared);
  constexpr size_t kWrites = 100;
  Answers<CreateOutcome> answers(kWrites);
  for (size_t i = 0; i < kWrites; ++i) {
    auto u = user("u" + std::to_string(i) + "@example.com");
    store.create_user(u, created(u), std::nullopt, answers.slot(i));
  }
  answers.wait();
  for (size_t i = 0; i < kWrites; ++i) EXPECT_EQ(answers.values_[i].status, CreateStatus::created) << i;
  EXPECT_LE(shared->writes().segments(), 10U);
  EXPECT_EQ(count("SELECT count(*) FROM " + table("users")), 100);
}

TEST_F(PostgresStore, ABadWriteInABatchFailsAloneAndTheOthersCommit) {
  auto shared = open();
  postgres::PgStore store(shared);
  constexpr size_t kWrites = 60;
  Answers<CreateOutcome> answers(kWrites);
  for (size_t i = 0; i < kWrites; ++i) {
    auto u = user("u" + std::to_string(i) + "@example.com");
    if (i == 30) u.name = std::string("nul\0byte", 8);  // PostgreSQL text cannot hold it: the write raises
    store.create_user(u, created(u), std::nullopt, answers.slot(i));
  }
  answers.wait();
  for (size_t i = 0; i < kWrites; ++i) {
    if (i == 30) {
      EXPECT_NE(answers.errors_[i], nullptr);
    } else {
      EXPECT_EQ(answers.errors_[i], nullptr) << i;
      EXPECT_EQ(answers.values_[i].status, CreateStatus::created) << i;
    }
  }
  EXPECT_EQ(count("SELECT count(*) FROM " + table("users")), 59);
  EXPECT_EQ(count("SELECT count(*) FROM " + table("outbox")), 59);
  // Finding the culprit by halving costs a few segments, not one per write.
  EXPECT_LT(shared->writes().segments(), 20U);
}

TEST_F(PostgresStore, TwoProcessesRacingForOneKeyLetExactlyOneWin) {
  auto a = open();
  auto b = open();
  postgres::PgStore store_a(a);
  postgres::PgStore store_b(b);
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    const int64_t now = util::system_millis();
    auto first = user("a" + std::to_string(round) + "@example.com");
    auto second = user("b" + std::to_string(round) + "@example.com");
    const std::string key = "key-" + std::to_string(round);
    domain::IdempotencyRecord ra{"scope", key, "fa", first.id, "{}", now, now + 60000};
    domain::IdempotencyRecord rb{"scope", key, "fb", second.id, "{}", now, now + 60000};
    Answers<CreateOutcome> answers(2);
    store_a.create_user(first, created(first), ra, answers.slot(0));
    store_b.create_user(second, created(second), rb, answers.slot(1));
    answers.wait();
    ASSERT_EQ(answers.errors_[0], nullptr);
    ASSERT_EQ(answers.errors_[1], nullptr);
    const auto& x = answers.values_[0];
    const auto& y = answers.values_[1];
    ASSERT_EQ((x.status == CreateStatus::created) + (y.status == CreateStatus::created), 1) << "round " << round;
    const auto& loser = x.status == CreateStatus::created ? y : x;
    const auto& winner_record = x.status == CreateStatus::created ? ra : rb;
    EXPECT_EQ(loser.status, CreateStatus::idempotency_taken);
    ASSERT_TRUE(loser.existing.has_value()) << "the loser replays the winner's record";
    EXPECT_EQ(loser.existing->resource_id, winner_record.resource_id);
    EXPECT_EQ(loser.existing->fingerprint, winner_record.fingerprint);
  }
  EXPECT_EQ(count("SELECT count(*) FROM " + table("users")), kRounds);
  EXPECT_EQ(count("SELECT count(*) FROM " + table("idempotency_keys")), kRounds);
  EXPECT_EQ(count("SELECT count(*) FROM " + table("outbox")), kRounds);
}

TEST_F(PostgresStore, TwoProcessesRacingForOneEmailLetExactlyOneWin) {
  auto a = open();
  auto b = open();
  postgres::PgStore store_a(a);
  postgres::PgStore store_b(b);
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    auto first = user("same" + std::to_string(round) + "@example.com");
    auto second = user("SAME" + std::to_string(round) + "@example.com");
    Answers<CreateOutcome> answers(2);
    store_a.create_user(first, created(first), std::nullopt, answers.slot(0));
    store_b.create_user(second, created(second), std::nullopt, answers.slot(1));
    answers.wait();
    const auto x = answers.values_[0].status;
    const auto y = answers.values_[1].status;
    EXPECT_EQ((x == CreateStatus::created) + (y == CreateStatus::created), 1) << "round " << round;
    EXPECT_EQ((x == CreateStatus::email_taken) + (y == CreateStatus::email_taken), 1) << "round " << round;
  }
  EXPECT_EQ(count("SELECT count(*) FROM " + table("users")), kRounds);
}

TEST_F(PostgresStore, AnEventThatCommitsAfterALaterOneIsClaimedNotSkipped) {
  auto shared = open();
  postgres::PgStore store(shared);
  testing_support::BlockingStore blocking_store(store);
  postgres::PgOutbox outbox(shared);
  testing_support::BlockingOutbox relay(outbox);
  Admin slow(conninfo());
  // A transaction takes the next sequence number and commits last.
  slow.exec("BEGIN");
  slow.exec(
      "INSERT INTO outbox (event_id, type, subject, payload, created_at) VALUES ('late', 't', 'late-subject', '{}', "
      "1)");
  const auto u = user("early@example.com");
  ASSERT_EQ(blocking_store.create_user(u, created(u), nullptr), CreateStatus::created);
  const util::Lease lease{"relay", 1, 1 << 30};
  const auto first = relay.claim(10, lease);
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].subject, u.id);
  relay.mark_published({first[0].id}, 2);
  slow.exec("COMMIT");
  const auto second = relay.claim(10, lease);
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(second[0].id, "late");
}

TEST_F(PostgresStore, ClaimsSkipEventsAnotherRelayHoldsLockedInsteadOfWaiting) {
  auto shared = open();
  postgres::PgStore store(shared);
  testing_support::BlockingStore blocking_store(store);
  postgres::PgOutbox outbox(shared);
  testing_support::BlockingOutbox relay(outbox);
  const auto locked = user("locked@example.com");
  const auto free = user("free@example.com");
  ASSERT_EQ(blocking_store.create_user(locked, created(locked), nullptr), CreateStatus::created);
  ASSERT_EQ(blocking_store.create_user(free, created(free), nullptr), CreateStatus::created);
  Admin other(conninfo());
  other.exec("BEGIN");
  other.exec("SELECT 1 FROM outbox WHERE subject = '" + locked.id + "' FOR UPDATE");
  const auto start = std::chrono::steady_clock::now();
  const auto claimed = relay.claim(10, {"relay", 1, 1 << 30});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_EQ(claimed.size(), 1U);
  EXPECT_EQ(claimed[0].subject, free.id);
  other.exec("ROLLBACK");
  const auto rest = relay.claim(10, {"relay-2", 1, 1 << 30});
  ASSERT_EQ(rest.size(), 1U);
  EXPECT_EQ(rest[0].subject, locked.id);
}

TEST_F(PostgresStore, CommitNoticesStayWithinTheirSchema) {
  auto shared = open();
  postgres::PgStore store(shared);
  testing_support::BlockingStore blocking_store(store);
  postgres::PgOutbox outbox(shared);
  std::mutex mutex;
  std::condition_variable changed;
  int notices = 0;
  auto watch = outbox.watch_commits([&] {
    std::lock_guard lock(mutex);
    ++notices;
    changed.notify_all();
  });
  auto wait_for = [&](int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return notices >= n; });
  };
  ASSERT_TRUE(wait_for(1));  // listening: the first notice says "look now"
  // Another store in another schema of the same database commits: not our business.
  const std::string other = random_name("t_");
  admin().exec("CREATE SCHEMA " + other);
  {
    postgres::PoolOptions options;
    options.conninfo = with_search_path(base_url_, other);
    options.connections = 1;
    postgres::migrate(options.conninfo);
    auto elsewhere = std::make_shared<PgShared>(options, postgres::GroupCommitOptions{});
    postgres::PgStore foreign(elsewhere);
    testing_support::BlockingStore foreign_store(foreign);
    const auto u = user("elsewhere@example.com");
    ASSERT_EQ(foreign_store.create_user(u, created(u), nullptr), CreateStatus::created);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(notices, 1);
  }
  const auto u = user("here@example.com");
  ASSERT_EQ(blocking_store.create_user(u, created(u), nullptr), CreateStatus::created);
  EXPECT_TRUE(wait_for(2));
  watch->stop();
  admin().exec("DROP SCHEMA " + other + " CASCADE");
}

}  // namespace
}  // namespace ninja::contract::pg
