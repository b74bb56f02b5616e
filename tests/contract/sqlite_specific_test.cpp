// SQLite-only properties of SqliteStore: durability pragmas, migrations, group commit and how a batch
// isolates its writes, WAL readers, and several stores sharing one file.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "storage/open_storage.hpp"
#include "storage/sqlite/database.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

using storage::sqlite::Database;

class SqliteSpecific : public StoreContract<SqliteBackend> {
 protected:
  uint64_t commit_batches() { return backend_->file().writer().batches(); }
  std::string file(const char* name) const { return (backend_->dir.path() / name).string(); }

  static std::string pragma_text(Database& db, const char* sql) {
    auto q = db.query(sql);
    EXPECT_TRUE(q.step()) << sql;
    return q.text(0);
  }
  static int64_t pragma_int(Database& db, const char* sql) {
    auto q = db.query(sql);
    EXPECT_TRUE(q.step()) << sql;
    return q.int64(0);
  }
};

TEST_F(SqliteSpecific, FileIsInWalModeForEveryConnection) {
  this->add_user();
  Database probe(backend_->path);  // a separate, plain connection
  EXPECT_EQ(pragma_text(probe, "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteSpecific, WriterConnectionIsWalWithSynchronousFull) {
  for (const std::string& path : {backend_->path, file("fresh-writer.db")}) {
    SCOPED_TRACE(path);
    auto writer = storage::sqlite::open_writer(path);
    EXPECT_EQ(pragma_text(*writer, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(pragma_int(*writer, "PRAGMA synchronous"), 2);  // FULL
  }
}

TEST_F(SqliteSpecific, MigrateTwiceIsIdempotent) {
  const auto& all = storage::sqlite::migrations();
  ASSERT_FALSE(all.empty());
  Database fresh(file("fresh-migrate.db"));
  EXPECT_EQ(storage::sqlite::migrate(fresh), static_cast<int>(all.size()));
  EXPECT_EQ(storage::sqlite::migrate(fresh), 0);
  EXPECT_EQ(pragma_int(fresh, "SELECT count(*) FROM schema_migrations"), static_cast<int64_t>(all.size()));
  EXPECT_EQ(pragma_int(fresh, "SELECT max(version) FROM schema_migrations"), all.back().version);
}

TEST_F(SqliteSpecific, MigrateOnTheStoresFileIsANoOpAndKeepsData) {
  const auto user = this->add_user();
  {
    Database db(backend_->path);
    EXPECT_EQ(storage::sqlite::migrate(db), 0);
  }
  EXPECT_TRUE(store().find_user(user.id).has_value());
  this->add_user();  // the schema still accepts writes
  this->reopen();    // and opening it again migrates nothing twice
  Database db(backend_->path);
  EXPECT_EQ(pragma_int(db, "SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(storage::sqlite::migrations().size()));
  EXPECT_EQ(pragma_int(db, "SELECT count(*) FROM users"), 2);
}

TEST_F(SqliteSpecific, EachUncontendedWriteIsOneCommit) {
  const uint64_t before = commit_batches();
  const auto user = this->add_user();
  this->add_order(user.id);
  EXPECT_FALSE(store().delete_user(next_id(), deleted_event(events::kUserDeleted, "x")));
  EXPECT_EQ(store().purge_idempotency(now()), 0U);
  EXPECT_EQ(commit_batches() - before, 4U);
  (void)store().find_user(user.id);  // reads do not go through the writer
  EXPECT_EQ(commit_batches() - before, 4U);
}

TEST_F(SqliteSpecific, ConcurrentCreatesAreGroupCommitted) {
  constexpr int kThreads = 32;
  constexpr int kPerThread = 50;
  std::vector<std::vector<std::pair<domain::User, events::Event>>> work(kThreads);
  for (auto& list : work) {
    for (int i = 0; i < kPerThread; ++i) {
      auto user = make_user();
      auto event = user_created_event(user);
      list.emplace_back(std::move(user), std::move(event));
    }
  }
  const uint64_t before = commit_batches();
  std::atomic<int> created{0};
  std::atomic<int> go{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      go.fetch_add(1);
      while (go.load() < kThreads) std::this_thread::yield();
      for (const auto& [user, event] : work[t]) {
        try {
          if (store().create_user(user, event, nullptr) == CreateStatus::created) created.fetch_add(1);
        } catch (...) {  // counted as not created
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const uint64_t batches = commit_batches() - before;

  EXPECT_EQ(created.load(), kThreads * kPerThread);
  EXPECT_EQ(outbox().size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_GT(batches, 0U);
  EXPECT_LT(batches, static_cast<uint64_t>(kThreads * kPerThread)) << "no two writes shared a commit";
  RecordProperty("commit_batches", std::to_string(batches));
}

TEST_F(SqliteSpecific, AsyncWritesFromOneThreadAreGroupCommitted) {
  constexpr int kWrites = 300;
  std::vector<domain::User> users;
  std::vector<events::Event> events;
  for (int i = 0; i < kWrites; ++i) {
    users.push_back(make_user());
    events.push_back(user_created_event(users.back()));
  }
  std::mutex mutex;
  std::condition_variable all_done;
  int completed = 0;
  int created = 0;
  const uint64_t before = commit_batches();
  for (int i = 0; i < kWrites; ++i) {
    store().port().create_user(users[i], events[i], std::nullopt,
                               [&](domain::CreateOutcome outcome, std::exception_ptr error) {
                                 std::lock_guard lock(mutex);
                                 ++completed;
                                 if (!error && outcome.status == CreateStatus::created) ++created;
                                 all_done.notify_all();
                               });
  }
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(all_done.wait_for(lock, std::chrono::seconds(5), [&] { return completed == kWrites; }));
  }
  const uint64_t batches = commit_batches() - before;
  EXPECT_EQ(created, kWrites);
  EXPECT_GT(batches, 0U);
  EXPECT_LT(batches, static_cast<uint64_t>(kWrites)) << "one thread's queued writes did not share commits";
  // Submitted from one thread, they commit in submission order (the writer's queue is FIFO).
  const auto outbox = this->outbox();
  ASSERT_EQ(outbox.size(), static_cast<size_t>(kWrites));
  for (int i = 0; i < kWrites; ++i) EXPECT_EQ(outbox[i].id, events[i].id) << i;
}

// Holds the write lock from another connection so the store's writer stalls on its first batch while
// every later write queues up behind it; releasing the lock commits the queue as ONE batch.
TEST_F(SqliteSpecific, RejectedWritesInABatchDoNotAffectTheOthers) {
  const int64_t t0 = now();
  const auto plug = make_user("plug@batch.test");
  const auto plug_record = make_record("s", "plug", plug.id, t0, t0 + kHourMs);
  const auto plug_event = user_created_event(plug);

  std::vector<std::thread> threads;
  std::atomic<int> unexpected{0};  // exceptions other than the thrower's
  const auto spawn = [&](std::function<void()> write) {
    threads.emplace_back([&unexpected, write = std::move(write)] {
      try {
        write();
      } catch (...) {
        unexpected.fetch_add(1);
      }
    });
  };
  Database blocker(backend_->path);
  blocker.exec("BEGIN IMMEDIATE");
  const uint64_t before = commit_batches();
  constexpr auto kUnset = static_cast<CreateStatus>(-1);  // "the write never returned"
  CreateStatus plug_status = kUnset;
  spawn([&] { plug_status = store().create_user(plug, plug_event, &plug_record); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the writer now waits on the lock

  // The batch: two racing users with one email, an email already committed, a write that throws
  // (duplicate primary key, after its idempotency record was inserted), a taken idempotency key, an
  // order for a missing user, a delete of nothing — and eleven writes that must all commit.
  const auto dup_a = make_user("same@batch.test");
  const auto dup_b = make_user("SAME@Batch.Test");
  const auto taken = make_user("PLUG@batch.test");
  auto thrower = make_user();
  thrower.id = plug.id;
  const auto thrower_record = make_record("s", "thrower", thrower.id, t0, t0 + kHourMs);
  const auto idem = make_user();
  const auto idem_record = make_record("s", "plug", idem.id, t0, t0 + kHourMs);
  const auto orphan = make_order(next_id());
  std::vector<domain::User> ok;
  for (int i = 0; i < 10; ++i) ok.push_back(make_user());
  const auto order = make_order(plug.id);

  std::vector<events::Event> accepted_events;  // events of writes that must commit
  std::vector<events::Event> rejected_events;
  const auto ev_a = user_created_event(dup_a);
  const auto ev_b = user_created_event(dup_b);
  for (const auto& user : ok) accepted_events.push_back(user_created_event(user));
  accepted_events.push_back(order_created_event(order));
  for (int i = 0; i < 5; ++i) rejected_events.push_back(deleted_event(events::kUserDeleted, "rejected"));

  CreateStatus st_a = kUnset, st_b = kUnset, st_taken = kUnset, st_idem = kUnset, st_orphan = kUnset;
  std::atomic<bool> thrower_threw{false};
  bool deleted_nothing = true;
  std::vector<CreateStatus> st_ok(ok.size(), kUnset);
  CreateStatus st_order = kUnset;
  spawn([&] { st_a = store().create_user(dup_a, ev_a, nullptr); });
  spawn([&] { st_b = store().create_user(dup_b, ev_b, nullptr); });
  spawn([&] { st_taken = store().create_user(taken, rejected_events[0], nullptr); });
  spawn([&] {
    try {
      (void)store().create_user(thrower, rejected_events[1], &thrower_record);
    } catch (const storage::sqlite::SqliteError&) {
      thrower_threw = true;
    }
  });
  spawn([&] { st_idem = store().create_user(idem, rejected_events[2], &idem_record); });
  spawn([&] { st_orphan = store().create_order(orphan, rejected_events[3], nullptr); });
  spawn([&] { deleted_nothing = !store().delete_user(next_id(), rejected_events[4]); });
  for (size_t i = 0; i < ok.size(); ++i) {
    spawn([&, i] { st_ok[i] = store().create_user(ok[i], accepted_events[i], nullptr); });
  }
  spawn([&] { st_order = store().create_order(order, accepted_events.back(), nullptr); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all of them are queued
  blocker.exec("COMMIT");
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(unexpected.load(), 0);
  // The plug's commit, then one for the whole queue (on a very slow machine the writer may have taken
  // the plug together with the first queued writes: still at most two commits for all 19 writes).
  EXPECT_LE(commit_batches() - before, 2U) << "the queued writes were not committed together";
  EXPECT_EQ(plug_status, CreateStatus::created);
  EXPECT_NE(st_a == CreateStatus::created, st_b == CreateStatus::created) << "exactly one of the racing emails";
  EXPECT_TRUE(st_a == CreateStatus::email_taken || st_b == CreateStatus::email_taken);
  EXPECT_EQ(st_taken, CreateStatus::email_taken);
  EXPECT_TRUE(thrower_threw.load());
  EXPECT_EQ(st_idem, CreateStatus::idempotency_taken);
  EXPECT_EQ(st_orphan, CreateStatus::user_missing);
  EXPECT_TRUE(deleted_nothing);
  for (size_t i = 0; i < ok.size(); ++i) {
    EXPECT_EQ(st_ok[i], CreateStatus::created) << i;
    EXPECT_TRUE(store().find_user(ok[i].id).has_value()) << i;
  }
  EXPECT_EQ(st_order, CreateStatus::created);
  EXPECT_TRUE(store().find_order(order.id).has_value());

  // The thrower's idempotency record was rolled back with it; the plug user is untouched.
  EXPECT_FALSE(store().find_idempotency("s", "thrower", t0).has_value());
  const auto found_plug = store().find_user(plug.id);
  ASSERT_TRUE(found_plug.has_value());
  expect_same_user(plug, *found_plug);

  std::set<std::string> expected_ids{plug_event.id, st_a == CreateStatus::created ? ev_a.id : ev_b.id};
  for (const auto& event : accepted_events) expected_ids.insert(event.id);
  std::set<std::string> actual_ids;
  for (const auto& event : outbox()) actual_ids.insert(event.id);
  EXPECT_EQ(actual_ids, expected_ids);
  EXPECT_EQ(outbox().size(), expected_ids.size());
}

TEST_F(SqliteSpecific, ThrowingWriteRollsBackEverythingItWrote) {
  const int64_t t0 = now();
  const auto user = add_user();
  const auto before = outbox();
  auto clash = make_user();
  clash.id = user.id;  // duplicate primary key: fails after the idempotency record was inserted
  const auto record = make_record("s", "k", clash.id, t0, t0 + kHourMs);
  EXPECT_THROW((void)store().create_user(clash, user_created_event(clash), &record), storage::sqlite::SqliteError);

  EXPECT_FALSE(store().find_idempotency("s", "k", t0).has_value());
  expect_same_events(before, outbox());
  // Its email is not taken and the key is free: nothing of it was left behind.
  auto retry = make_user(clash.email);
  EXPECT_EQ(store().create_user(retry, user_created_event(retry), &record), CreateStatus::created);
}

TEST_F(SqliteSpecific, ReadersAreNotBlockedByAnotherWriterAndSeeOnlyCommittedRows) {
  const auto existing = add_user();
  const std::string dirty_id = next_id();
  Database other(backend_->path);
  other.exec("BEGIN IMMEDIATE");
  other
      .query(
          "INSERT INTO users (id, name, email, email_key, notify_channel, created_at)"
          " VALUES (?1, 'Dirty', 'dirty@example.com', 'dirty@example.com', 'email', 1)")
      .bind(1, dirty_id)
      .run();

  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(store().find_user(dirty_id).has_value()) << "read an uncommitted row";
  EXPECT_TRUE(store().find_user(existing.id).has_value());
  EXPECT_EQ(store().list_users({10, std::nullopt}).items.size(), 1U);
  EXPECT_TRUE(store().ready());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1000)) << "readers waited";

  other.exec("COMMIT");
  EXPECT_TRUE(store().find_user(dirty_id).has_value());
}

TEST_F(SqliteSpecific, ADeliveryOfAnOutboxEventKeepsNoCopyOfItsPayload) {
  const auto user = this->add_user();
  const auto order = this->make_order(user.id);
  const auto event = this->add_order(order);
  domain::Delivery own;  // of an event in this file's outbox
  own.event_id = event.id;
  own.channel = "webhook";
  own.order_id = order.id;
  own.user_id = user.id;
  own.payload = event.payload;
  own.next_attempt_at_ms = 1;
  domain::Delivery foreign = own;  // of an event this file never had: its payload is kept
  foreign.event_id = this->next_id();
  foreign.payload = R"({"data":{"total":1}})";
  this->deliveries().add_deliveries({own, foreign}, {"intake", 0, 0});

  Database probe(backend_->path);
  auto q = probe.query("SELECT event_id, payload FROM deliveries ORDER BY event_id = ?1 DESC");
  q.bind(1, own.event_id);
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.text(1), "");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.text(1), foreign.payload);
  const auto read = this->deliveries().deliveries_for_order(order.id);
  ASSERT_EQ(read.size(), 2U);
  for (const auto& d : read) EXPECT_EQ(d.payload, d.event_id == own.event_id ? own.payload : foreign.payload);
}

TEST_F(SqliteSpecific, PeekingAtPendingEventsClaimsNothingAndWritesNothing) {
  this->add_user();
  this->add_user();
  auto& outbox = this->outbox_view();
  const uint64_t batches = commit_batches();
  const util::Lease lease{"inproc-relay", 1, 1'000'000'000'000'000};
  EXPECT_EQ(outbox.peek_pending(10, lease).size(), 2U);
  EXPECT_EQ(outbox.peek_pending(10, lease).size(), 2U);  // still there: nothing was claimed
  EXPECT_EQ(commit_batches(), batches) << "a peek went through the writer";
  // Another relay's claim still gets both.
  EXPECT_EQ(outbox.claim(10, {"other", 2, 3}).size(), 2U);
}

TEST_F(SqliteSpecific, StoresSharingOneFileSeeEachOthersWrites) {
  const auto user = add_user();
  auto other_storage =
      storage::open_storage({"sqlite:" + backend_->path, 2, std::chrono::milliseconds(10000), nullptr});
  testing_support::BlockingStore other(*other_storage.store);
  ASSERT_TRUE(other.ready());
  EXPECT_TRUE(other.find_user(user.id).has_value());

  // Email uniqueness holds across the two writers.
  const auto dup = make_user(user.email);
  EXPECT_EQ(other.create_user(dup, user_created_event(dup), nullptr), CreateStatus::email_taken);
  const auto second = make_user();
  EXPECT_EQ(other.create_user(second, user_created_event(second), nullptr), CreateStatus::created);
  EXPECT_TRUE(store().find_user(second.id).has_value());
  EXPECT_EQ(outbox().size(), 2U);
}

}  // namespace
}  // namespace ninja::contract
