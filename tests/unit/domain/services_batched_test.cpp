// The services over a store whose writes complete later (as SQLite group commit does): answers come
// only after the commit, on the completing thread, and failures reach the caller unchanged.
#include "services_fixture.hpp"

namespace ninja::domain {
namespace {

using fakes::FakeStore;
using ::testing::ElementsAre;

// ---- a store whose writes complete later, as SQLite's group commit does ------------------------------

// Delegates to a FakeStore, but queues each write (and its completion) until `commit()`, or answers
// writes with `failure` instead of writing.
class BatchingStore final : public Store {
 public:
  FakeStore inner;
  std::exception_ptr failure;
  std::vector<std::function<void()>> queued;

  // Runs the queued writes as one batch and completes them, in order.
  void commit() {
    auto batch = std::exchange(queued, {});
    for (auto& write : batch) write();
  }

  void ready(util::Completion<bool> done) override { inner.ready(std::move(done)); }
  void create_user(User user, events::Event event, std::optional<IdempotencyRecord> record,
                   util::Completion<CreateOutcome> done) override {
    queue(
        [this, user = std::move(user), event = std::move(event),
         record = std::move(record)](util::Completion<CreateOutcome> d) mutable {
          inner.create_user(std::move(user), std::move(event), std::move(record), std::move(d));
        },
        std::move(done));
  }
  void create_order(Order order, events::Event event, std::optional<IdempotencyRecord> record,
                    util::Completion<CreateOutcome> done) override {
    queue(
        [this, order = std::move(order), event = std::move(event),
         record = std::move(record)](util::Completion<CreateOutcome> d) mutable {
          inner.create_order(std::move(order), std::move(event), std::move(record), std::move(d));
        },
        std::move(done));
  }
  void delete_user(std::string id, events::Event event, util::Completion<bool> done) override {
    queue([this, id = std::move(id), event = std::move(event)](
              util::Completion<bool> d) mutable { inner.delete_user(std::move(id), std::move(event), std::move(d)); },
          std::move(done));
  }
  void delete_order(std::string id, events::Event event, util::Completion<bool> done) override {
    queue([this, id = std::move(id), event = std::move(event)](
              util::Completion<bool> d) mutable { inner.delete_order(std::move(id), std::move(event), std::move(d)); },
          std::move(done));
  }
  void find_user(std::string id, util::Completion<std::optional<User>> done) override {
    inner.find_user(std::move(id), std::move(done));
  }
  void find_order(std::string id, util::Completion<std::optional<Order>> done) override {
    inner.find_order(std::move(id), std::move(done));
  }
  void find_user_by_email(std::string email, util::Completion<std::optional<User>> done) override {
    inner.find_user_by_email(std::move(email), std::move(done));
  }
  void list_users(PageQuery q, util::Completion<Page<User>> done) override {
    inner.list_users(std::move(q), std::move(done));
  }
  void list_orders(PageQuery q, std::optional<std::string> u, util::Completion<Page<Order>> done) override {
    inner.list_orders(std::move(q), std::move(u), std::move(done));
  }
  void find_idempotency(std::string scope, std::string key, int64_t now_ms,
                        util::Completion<std::optional<IdempotencyRecord>> done) override {
    inner.find_idempotency(std::move(scope), std::move(key), now_ms, std::move(done));
  }
  void purge_idempotency(int64_t now_ms, util::Completion<size_t> done) override {
    inner.purge_idempotency(now_ms, std::move(done));
  }

 private:
  template <class T, class Write>
  void queue(Write write, util::Completion<T> done) {
    if (failure) {
      queued.push_back([failure = failure, done = std::move(done)] { done(T{}, failure); });
      return;
    }
    queued.push_back([write = std::move(write), done = std::move(done)]() mutable { write(std::move(done)); });
  }
};

class BatchedServicesTest : public ServicesOver<BatchingStore> {
 protected:
  static CreateUser ada() {
    CreateUser c;
    c.name = "  Ada  ";
    c.email = "ada@example.com";
    return c;
  }
};

TEST_F(BatchedServicesTest, CreateAnswersWhenTheCommitCompletes) {
  const IdempotencyContext key{"", "k", "fp"};
  Captured first;
  users.create(ada(), key, first.done());
  EXPECT_EQ(first.calls, 0) << "answered before the commit";
  EXPECT_TRUE(store.inner.users.empty());
  ASSERT_EQ(store.queued.size(), 1u);

  // A duplicate while the commit is pending is refused at once and writes nothing.
  Captured duplicate;
  users.create(ada(), key, duplicate.done());
  EXPECT_THROW(duplicate.get(), IdempotencyInFlight);
  EXPECT_EQ(store.queued.size(), 1u);

  store.commit();
  const auto result = first.get();
  EXPECT_FALSE(result.replayed);
  ASSERT_EQ(store.inner.users.count(result.id), 1u);
  // The queued write carried the whole entity (nothing referred to the caller's stack).
  EXPECT_EQ(store.inner.users[result.id].name, "Ada");
  EXPECT_EQ(store.inner.users[result.id].email, "ada@example.com");
  ASSERT_EQ(store.inner.events.size(), 1u);
  EXPECT_EQ(store.inner.events[0].subject, result.id);
  EXPECT_EQ(boost::json::parse(result.body).as_object().at("name"), "Ada");

  // After the answer, the same key replays: the store's transaction answers with the record (so
  // the replay too waits for the commit) and writes nothing.
  Captured retry;
  users.create(ada(), key, retry.done());
  EXPECT_EQ(retry.calls, 0) << "answered before the store decided";
  ASSERT_EQ(store.queued.size(), 1u);
  store.commit();
  const auto replay = retry.get();
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, result.id);
  EXPECT_EQ(replay.body, result.body);
  EXPECT_EQ(store.inner.creates, 2);
  EXPECT_EQ(store.inner.users.size(), 1u);
  EXPECT_EQ(store.inner.events.size(), 1u);
  EXPECT_TRUE(store.queued.empty());
}

TEST_F(BatchedServicesTest, SameKeyFromTwoProcessesInOneBatchReplaysTheWinner) {
  // Another process (its own in-flight keys) shares the store: both creates get past their leases
  // and land in the same batch; the store's transaction lets the first write and answers the second
  // with the first's record.
  InFlightKeys other_in_flight;
  IdempotentCreate other_creates{[this] { return now; }, other_in_flight, 1000};
  UserService other_users{store, ids, other_creates, [] { return std::string("whsec_dGVzdA=="); }};
  const IdempotencyContext key{"", "k", "fp"};
  Captured ours, theirs;
  users.create(ada(), key, ours.done());
  other_users.create(ada(), key, theirs.done());
  ASSERT_EQ(store.queued.size(), 2u);
  store.commit();
  const auto winner = ours.get();
  const auto loser = theirs.get();
  EXPECT_FALSE(winner.replayed);
  EXPECT_TRUE(loser.replayed);
  EXPECT_EQ(loser.id, winner.id);
  EXPECT_EQ(loser.body, winner.body);
  EXPECT_EQ(store.inner.users.size(), 1u);
  EXPECT_EQ(store.inner.events.size(), 1u);

  // With a different request under the key, the loser gets a mismatch instead.
  const IdempotencyContext key2{"", "k2", "fp-a"}, key2_other{"", "k2", "fp-b"};
  Captured first, second;
  users.create(ada(), key2, first.done());
  other_users.create(ada(), key2_other, second.done());
  store.commit();
  EXPECT_FALSE(first.get().replayed);
  EXPECT_THROW(second.get(), IdempotencyMismatch);
}

TEST_F(BatchedServicesTest, OrderCreateAnswersWhenTheCommitCompletes) {
  CreateOrder c;
  c.user_id = "u";
  c.items = {{"A", 2, 5}};
  Captured out;
  orders.create(c, std::nullopt, out.done());
  EXPECT_EQ(out.calls, 0);
  store.commit();
  const auto result = out.get();
  ASSERT_EQ(store.inner.orders.count(result.id), 1u);
  EXPECT_EQ(store.inner.orders[result.id].total, 10);
  EXPECT_EQ(store.inner.orders[result.id].user_id, "u");
}

TEST_F(BatchedServicesTest, CompletionOnAStoreThreadReachesDoneThere) {
  Captured out;
  users.create(ada(), std::nullopt, out.done());
  std::thread store_thread([this] { store.commit(); });
  const auto store_thread_id = store_thread.get_id();
  store_thread.join();
  EXPECT_FALSE(out.get().id.empty());
  EXPECT_EQ(out.thread, store_thread_id);
}

TEST_F(BatchedServicesTest, StoreFailureReachesDoneUnchanged) {
  const auto failure = std::make_exception_ptr(std::runtime_error("database is locked"));
  store.failure = failure;
  Captured user_out, order_out;
  users.create(ada(), IdempotencyContext{"", "k", "fp"}, user_out.done());
  CreateOrder c;
  c.user_id = "u";
  c.items = {{"A", 1, 1}};
  orders.create(c, std::nullopt, order_out.done());
  EXPECT_EQ(user_out.calls, 0);
  store.commit();
  EXPECT_EQ(user_out.calls, 1);
  EXPECT_EQ(user_out.error, failure);
  EXPECT_EQ(order_out.calls, 1);
  EXPECT_EQ(order_out.error, failure);

  store.inner.users["u1"] =
      User{"u1", "Ada", "ada@example.com", std::nullopt, NotifyChannel::email, std::nullopt, std::nullopt, now};
  Removed removed;
  users.remove("u1", removed.done());
  store.commit();
  EXPECT_EQ(removed.calls, 1);
  EXPECT_EQ(removed.error, failure);
}

TEST_F(BatchedServicesTest, RemoveAnswersWhenTheDeleteCommitsAndAVanishedEntityIsNotFound) {
  store.inner.users["u1"] =
      User{"u1", "Ada", "ada@example.com", std::nullopt, NotifyChannel::email, std::nullopt, std::nullopt, now};
  store.inner.orders["o1"] = Order{};
  store.inner.orders["o1"].id = "o1";
  Removed first_user, second_user, first_order, second_order;
  // Two removes of each find it present; the first delete to commit wins.
  users.remove("u1", first_user.done());
  users.remove("u1", second_user.done());
  orders.remove("o1", first_order.done());
  orders.remove("o1", second_order.done());
  EXPECT_EQ(first_user.calls + second_user.calls + first_order.calls + second_order.calls, 0);
  store.commit();
  EXPECT_NO_THROW(first_user.get());
  EXPECT_THROW(second_user.get(), NotFound);
  EXPECT_NO_THROW(first_order.get());
  EXPECT_THROW(second_order.get(), NotFound);
  ASSERT_EQ(store.inner.events.size(), 2u);  // one deleted event each
  EXPECT_EQ(store.inner.events[0].type, "ninja.user.deleted");
  EXPECT_EQ(store.inner.events[1].type, "ninja.order.deleted");
}

}  // namespace
}  // namespace ninja::domain
