// Store contract: the store is used from many worker threads at once.
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "store_contract.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StoreConcurrency : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreConcurrency, StoreBackends, BackendName);

constexpr int kThreads = 32;

// Users each thread creates: 50, fewer where the backend's test server slows down with every write
// (moto deep-copies a table per transaction: 1,600 creates took 263 s there, 320 a few seconds).
template <class Backend>
constexpr int creates_per_thread() {
  if constexpr (requires { Backend::kCreatesPerThread; }) {
    return Backend::kCreatesPerThread;
  } else {
    return 50;
  }
}

// Runs `body(thread_index)` on `threads` threads released together; returns how many threw.
template <class Body>
int run_together(int threads, Body body) {
  std::atomic<int> ready{0};
  std::atomic<int> threw{0};
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < threads) std::this_thread::yield();
      try {
        body(t);
      } catch (...) {
        threw.fetch_add(1);
      }
    });
  }
  for (auto& thread : pool) thread.join();
  return threw.load();
}

TYPED_TEST(StoreConcurrency, ManyThreadsCreatingUsersAllSucceed) {
  constexpr int kPerThread = creates_per_thread<TypeParam>();
  // Build everything up front so the threads only talk to the store.
  std::vector<std::vector<domain::User>> users(kThreads);
  std::vector<std::vector<events::Event>> events(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      users[t].push_back(this->make_user("t" + std::to_string(t) + "-u" + std::to_string(i) + "@example.com"));
      events[t].push_back(this->user_created_event(users[t].back()));
    }
  }
  std::vector<std::vector<CreateStatus>> statuses(kThreads);
  std::atomic<int> exceptions{0};
  auto& store = this->store();
  ASSERT_EQ(run_together(kThreads,
                         [&](int t) {
                           for (int i = 0; i < kPerThread; ++i) {
                             try {
                               statuses[t].push_back(store.create_user(users[t][i], events[t][i], nullptr));
                             } catch (...) {
                               exceptions.fetch_add(1);
                             }
                           }
                         }),
            0);

  EXPECT_EQ(exceptions.load(), 0);
  std::set<std::string> ids;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(statuses[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) EXPECT_EQ(statuses[t][i], CreateStatus::created);
    for (const auto& user : users[t]) ids.insert(user.id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));

  // Every user is stored, once, and a full walk of the pages sees each exactly once.
  std::set<std::string> listed;
  PageQuery query{100, std::nullopt};
  int duplicates = 0;
  for (int pages = 0; pages <= kThreads * kPerThread / 100 + 1; ++pages) {  // bounded: a bad cursor must not hang
    const auto page = this->store().list_users(query);
    for (const auto& user : page.items) duplicates += listed.insert(user.id).second ? 0 : 1;
    if (!page.has_more || page.items.empty()) break;
    query.before_id = page.items.back().id;
  }
  EXPECT_EQ(duplicates, 0) << "users listed on more than one page";
  EXPECT_EQ(listed, ids);
  EXPECT_TRUE(this->store().find_user(users[kThreads - 1][kPerThread - 1].id).has_value());

  // One event per create, and each thread's events appear in the order that thread committed them.
  const auto outbox = this->outbox();
  ASSERT_EQ(outbox.size(), static_cast<size_t>(kThreads * kPerThread));
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < outbox.size(); ++i) position[outbox[i].id] = i;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 1; i < kPerThread; ++i) {
      ASSERT_TRUE(position.count(events[t][i].id)) << "missing event of thread " << t;
      EXPECT_LT(position[events[t][i - 1].id], position[events[t][i].id]) << "thread " << t << " write " << i;
    }
  }
}

TYPED_TEST(StoreConcurrency, RacingCreatesWithOneEmailLetExactlyOneWin) {
  std::vector<domain::User> users;
  std::vector<events::Event> events;
  for (int t = 0; t < kThreads; ++t) {
    std::string email = "race@example.com";
    if (t % 2 == 1) email = "RACE@Example.COM";
    users.push_back(this->make_user(email));
    events.push_back(this->user_created_event(users.back()));
  }
  std::vector<CreateStatus> statuses(kThreads, CreateStatus::user_missing);
  auto& store = this->store();
  ASSERT_EQ(run_together(kThreads, [&](int t) { statuses[t] = store.create_user(users[t], events[t], nullptr); }), 0);

  int winner = -1;
  for (int t = 0; t < kThreads; ++t) {
    if (statuses[t] == CreateStatus::created) {
      EXPECT_EQ(winner, -1) << "two winners: " << winner << " and " << t;
      winner = t;
    } else {
      EXPECT_EQ(statuses[t], CreateStatus::email_taken) << "thread " << t;
    }
  }
  ASSERT_NE(winner, -1);
  EXPECT_EQ(ids_of(this->store().list_users({100, std::nullopt}).items), std::vector<std::string>{users[winner].id});
  expect_same_events({events[winner]}, this->outbox());
}

TYPED_TEST(StoreConcurrency, RacingCreatesWithOneIdempotencyKeyLetExactlyOneWin) {
  const int64_t t0 = this->now();
  const auto owner = this->add_user();
  std::vector<domain::Order> orders;
  std::vector<events::Event> events;
  std::vector<IdempotencyRecord> records;
  for (int t = 0; t < kThreads; ++t) {
    orders.push_back(this->make_order(owner.id));
    events.push_back(this->order_created_event(orders.back()));
    records.push_back(this->make_record("scope", "same-key", orders.back().id, t0, t0 + kHourMs));
  }
  std::vector<CreateStatus> statuses(kThreads, CreateStatus::user_missing);
  auto& store = this->store();
  ASSERT_EQ(run_together(kThreads, [&](int t) { statuses[t] = store.create_order(orders[t], events[t], &records[t]); }),
            0);

  int winner = -1;
  for (int t = 0; t < kThreads; ++t) {
    if (statuses[t] == CreateStatus::created) {
      EXPECT_EQ(winner, -1) << "two winners: " << winner << " and " << t;
      winner = t;
    } else {
      EXPECT_EQ(statuses[t], CreateStatus::idempotency_taken) << "thread " << t;
    }
  }
  ASSERT_NE(winner, -1);
  EXPECT_EQ(ids_of(this->store().list_orders({100, std::nullopt}, std::nullopt).items),
            std::vector<std::string>{orders[winner].id});
  const auto found = this->store().find_idempotency("scope", "same-key", t0);
  ASSERT_TRUE(found.has_value());
  expect_same_record(records[winner], *found);
  EXPECT_EQ(this->outbox().size(), 2U);
}

TYPED_TEST(StoreConcurrency, RejectedWritesDoNotDisturbConcurrentOnes) {
  const auto owner = this->add_user();
  const auto taken = this->make_user("taken@example.com");
  this->add_user(taken);

  // Even threads write things that succeed, odd threads things that are rejected.
  constexpr int kRounds = 10;
  std::vector<std::vector<domain::User>> good(kThreads);
  std::vector<std::vector<domain::User>> bad(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kRounds; ++i) {
      good[t].push_back(this->make_user());
      bad[t].push_back(this->make_user(i % 2 ? "TAKEN@example.com" : "taken@example.com"));
    }
  }
  std::atomic<int> wrong{0};
  auto& store = this->store();
  std::vector<std::vector<events::Event>> good_events(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (const auto& user : good[t]) good_events[t].push_back(this->user_created_event(user));
  }
  std::vector<events::Event> reject_event(kThreads);
  for (int t = 0; t < kThreads; ++t) reject_event[t] = this->deleted_event(events::kUserDeleted, "none");
  ASSERT_EQ(run_together(kThreads,
                         [&](int t) {
                           for (int i = 0; i < kRounds; ++i) {
                             if (t % 2 == 0) {
                               if (store.create_user(good[t][i], good_events[t][i], nullptr) != CreateStatus::created)
                                 wrong.fetch_add(1);
                             } else if (i % 3 == 0) {
                               if (store.create_user(bad[t][i], reject_event[t], nullptr) != CreateStatus::email_taken)
                                 wrong.fetch_add(1);
                             } else if (i % 3 == 1) {
                               domain::Order orphan;
                               orphan.id = bad[t][i].id;
                               orphan.user_id = bad[t][i].id;  // not a user
                               orphan.items = {{"X", 1, 1}};
                               orphan.currency = "EUR";
                               orphan.total = 1;
                               if (store.create_order(orphan, reject_event[t], nullptr) != CreateStatus::user_missing)
                                 wrong.fetch_add(1);
                             } else {
                               if (store.delete_user(bad[t][i].id, reject_event[t])) wrong.fetch_add(1);
                             }
                           }
                         }),
            0);

  EXPECT_EQ(wrong.load(), 0);
  for (int t = 0; t < kThreads; t += 2) {
    for (const auto& user : good[t]) EXPECT_TRUE(store.find_user(user.id).has_value()) << user.id;
  }
  EXPECT_TRUE(store.find_user(owner.id).has_value());
  EXPECT_TRUE(store.find_user(taken.id).has_value());
  const auto outbox = this->outbox();
  EXPECT_EQ(outbox.size(), 2U + (kThreads / 2) * kRounds);
  for (const auto& event : outbox) EXPECT_NE(event.type, events::kUserDeleted) << "a rejected write left an event";
}

}  // namespace
}  // namespace ninja::contract
