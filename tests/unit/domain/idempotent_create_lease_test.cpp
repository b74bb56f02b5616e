// IdempotentCreate: the in-flight lease is released before the client hears back; store errors;
// and the flow never reads the store (it has none: the commit's answer decides).
#include <type_traits>

#include "idempotent_create_fixture.hpp"

namespace ninja::domain {
namespace {

// Its own suite name: the shared fixture is a distinct class in each translation unit.
using IdempotentCreateLeaseTest = IdempotentCreateTest;

// ---- the lease is released before done runs -------------------------------------------------------

TEST_F(IdempotentCreateLeaseTest, LeaseIsReleasedBeforeDoneAfterACommit) {
  Captured first, retry;
  creates.run(context("k1"), prepared("id-1"), commit_order("id-1"), then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_EQ(first.get().id, "id-1");
  const auto replay = retry.get();  // not IdempotencyInFlight
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "id-1");
  // The retry reached the store, which answered with the record and wrote nothing.
  EXPECT_EQ(commits, 2);
  EXPECT_EQ(store.creates, 2);
  EXPECT_EQ(store.orders.count("id-2"), 0u);
  EXPECT_EQ(store.events.size(), 1u);
}

TEST_F(IdempotentCreateLeaseTest, LeaseIsReleasedBeforeDoneAfterAStoreError) {
  Captured first, retry;
  const auto failure = std::make_exception_ptr(std::runtime_error("disk full"));
  creates.run(context("k1"), prepared("id-1"), commit_answering(CreateStatus{}, failure),
              then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(first.error, failure);
  const auto again = retry.get();  // not IdempotencyInFlight
  EXPECT_FALSE(again.replayed);
  EXPECT_EQ(again.id, "id-2");
}

TEST_F(IdempotentCreateLeaseTest, LeaseIsReleasedBeforeDoneAfterADomainError) {
  Captured first, retry;
  creates.run(context("k1"), prepared("id-1"), commit_answering(CreateStatus::email_taken),
              then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_THROW(first.get(), EmailTaken);
  EXPECT_EQ(retry.get().id, "id-2");
}

TEST_F(IdempotentCreateLeaseTest, LeaseIsReleasedBeforeDoneAfterALostRace) {
  Captured first, retry;
  creates.run(
      context("k1"), prepared("ours"),
      [&](Record record, Committed done) {
        store.put_idempotency(theirs("fp-1"));  // another process commits the key first
        commit_order("ours")(std::move(record), std::move(done));
      },
      then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_EQ(first.get().id, "theirs");
  const auto replay = retry.get();
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "theirs");
  EXPECT_TRUE(store.orders.empty());
}

TEST_F(IdempotentCreateLeaseTest, LeaseIsReleasedBeforeDoneOfATakenKeyWithoutRecord) {
  Captured first, retry;
  creates.run(context("k1"), prepared("id-1"), commit_answering(CreateStatus::idempotency_taken),
              then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_THROW(first.get(), IdempotencyInFlight);
  const auto again = retry.get();  // our own lease does not hold it up
  EXPECT_FALSE(again.replayed);
  EXPECT_EQ(again.id, "id-2");
}

TEST_F(IdempotentCreateLeaseTest, LeaseIsReleasedBeforeDoneOfAReplay) {
  create(context("k1"), "id-1");
  Captured second, third;
  creates.run(context("k1"), prepared("id-2"), commit_order("id-2"), then_retry(second, third, context("k1"), "id-3"));
  EXPECT_TRUE(second.get().replayed);
  const auto replay = third.get();  // not IdempotencyInFlight
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "id-1");
}

TEST_F(IdempotentCreateLeaseTest, LeaseIsReleasedBeforeDoneOfAMismatch) {
  create(context("k1", "fp-1"), "id-1");
  Captured second, third;
  creates.run(context("k1", "fp-2"), prepared("id-2"), commit_order("id-2"),
              then_retry(second, third, context("k1", "fp-1"), "id-3"));
  EXPECT_THROW(second.get(), IdempotencyMismatch);
  const auto replay = third.get();  // not IdempotencyInFlight
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "id-1");
}

// ---- no store reads; store errors through the store ------------------------------------------------

// Delegates writes to a FakeStore and counts every other call (each a read) as a failure; fails the
// next `fail_writes` creates with `failure` instead of writing.
class NoReadStore final : public Store {
 public:
  explicit NoReadStore(FakeStore& inner) : inner_(inner) {}
  int reads = 0;
  int fail_writes = 0;
  std::exception_ptr failure = std::make_exception_ptr(std::runtime_error("database is locked"));

  void ready(util::Completion<bool> done) override { read(std::move(done)); }
  void create_user(domain::User user, events::Event event, Record record, Committed done) override {
    if (fail_writes > 0 && fail_writes--) return done(CreateOutcome{}, failure);
    inner_.create_user(std::move(user), std::move(event), std::move(record), std::move(done));
  }
  void create_order(domain::Order order, events::Event event, Record record, Committed done) override {
    if (fail_writes > 0 && fail_writes--) return done(CreateOutcome{}, failure);
    inner_.create_order(std::move(order), std::move(event), std::move(record), std::move(done));
  }
  void delete_user(std::string id, events::Event event, util::Completion<bool> done) override {
    inner_.delete_user(std::move(id), std::move(event), std::move(done));
  }
  void delete_order(std::string id, events::Event event, util::Completion<bool> done) override {
    inner_.delete_order(std::move(id), std::move(event), std::move(done));
  }
  void find_user(std::string, util::Completion<std::optional<domain::User>> done) override { read(std::move(done)); }
  void find_order(std::string, util::Completion<std::optional<domain::Order>> done) override { read(std::move(done)); }
  void find_user_by_email(std::string, util::Completion<std::optional<domain::User>> done) override {
    read(std::move(done));
  }
  void list_users(PageQuery, util::Completion<Page<domain::User>> done) override { read(std::move(done)); }
  void list_orders(PageQuery, std::optional<std::string>, util::Completion<Page<domain::Order>> done) override {
    read(std::move(done));
  }
  void find_idempotency(std::string, std::string, int64_t, util::Completion<Record> done) override {
    read(std::move(done));
  }
  void purge_idempotency(int64_t, util::Completion<size_t> done) override { read(std::move(done)); }

 private:
  template <class T>
  void read(util::Completion<T> done) {
    ++reads;
    ADD_FAILURE() << "the create flow read the store";
    done(T{}, nullptr);
  }
  FakeStore& inner_;
};

// IdempotentCreate is built from a clock, the in-flight keys and a TTL; it cannot be given a store.
static_assert(std::is_constructible_v<IdempotentCreate, util::MillisClock, InFlightKeys&, int64_t>);
static_assert(!std::is_constructible_v<IdempotentCreate, Store&, util::MillisClock, InFlightKeys&, int64_t>);

TEST(IdempotentCreateWithoutStore, TheCommitsAnswerAloneDecides) {
  // No Store exists here at all: each "transaction" is a scripted answer.
  InFlightKeys keys;
  IdempotentCreate alone([] { return int64_t{1000}; }, keys, kTtl);
  const IdempotencyContext ctx{"s", "k", "fp"};
  const IdempotencyRecord same{"s", "k", "fp", "first", "{\"id\":\"first\"}", 1, 1 + kTtl};
  auto other = same;
  other.fingerprint = "fp-other";
  auto answering = [](CreateOutcome outcome) {
    return [outcome](Record record, Committed done) {
      EXPECT_TRUE(record.has_value());
      done(outcome, nullptr);
    };
  };
  auto outcome_of = [&](CreateOutcome outcome) {
    Captured out;
    alone.run(ctx, CreateResult{"mine", "{\"id\":\"mine\"}", false}, answering(std::move(outcome)), out.done());
    return out;
  };

  const auto created = outcome_of({CreateStatus::created, std::nullopt}).get();
  EXPECT_EQ(created.id, "mine");
  EXPECT_FALSE(created.replayed);
  const auto replay = outcome_of({CreateStatus::idempotency_taken, same}).get();
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "first");
  EXPECT_EQ(replay.body, "{\"id\":\"first\"}");
  EXPECT_THROW(outcome_of({CreateStatus::idempotency_taken, other}).get(), IdempotencyMismatch);
  EXPECT_THROW(outcome_of({CreateStatus::idempotency_taken, std::nullopt}).get(), IdempotencyInFlight);
  EXPECT_THROW(outcome_of({CreateStatus::email_taken, std::nullopt}).get(), EmailTaken);
  EXPECT_THROW(outcome_of({CreateStatus::user_missing, std::nullopt}).get(), ValidationError);
}

class IdempotentCreateNoReadTest : public IdempotentCreateTest {
 protected:
  NoReadStore guarded{store};
  CreateResult create(const std::optional<IdempotencyContext>& ctx, const std::string& id) {
    return run(ctx, prepared(id), commit_order(id, guarded));
  }
};

TEST_F(IdempotentCreateNoReadTest, NoOutcomeReadsTheStore) {
  EXPECT_FALSE(create(context("k1"), "id-1").replayed);  // created
  EXPECT_TRUE(create(context("k1"), "id-2").replayed);   // replay from the store's answer
  EXPECT_THROW(create(context("k1", "fp-2"), "id-3"), IdempotencyMismatch);
  EXPECT_FALSE(create(std::nullopt, "id-4").replayed);  // no key
  Captured duplicate;
  const auto first = run(context("k2"), prepared("id-5"), [&](Record record, Committed done) {
    creates.run(context("k2"), prepared("id-6"), commit_order("id-6", guarded), duplicate.done());
    commit_order("id-5", guarded)(std::move(record), std::move(done));
  });
  EXPECT_EQ(first.id, "id-5");
  EXPECT_THROW(duplicate.get(), IdempotencyInFlight);  // in flight here
  store.next_status = CreateStatus::idempotency_taken;
  EXPECT_THROW(create(context("k3"), "id-7"), IdempotencyInFlight);  // taken, no record
  store.next_status = CreateStatus::email_taken;
  EXPECT_THROW(create(context("k3"), "id-8"), EmailTaken);
  guarded.fail_writes = 1;
  EXPECT_THROW(create(context("k3"), "id-9"), std::runtime_error);
  now += kTtl;
  EXPECT_FALSE(create(context("k1"), "id-10").replayed);  // expired: processed again
  EXPECT_EQ(guarded.reads, 0);
}

TEST_F(IdempotentCreateNoReadTest, StoreErrorReachesDoneUnchangedAndReleasesTheLease) {
  for (const auto& ctx : {std::optional<IdempotencyContext>(), std::optional(context("k1"))}) {
    const std::string failed = ctx ? "key-1" : "nokey-1", retried = ctx ? "key-2" : "nokey-2";
    guarded.fail_writes = 1;
    Captured first, retry;
    creates.run(ctx, prepared(failed), commit_order(failed, guarded),
                then_retry(first, retry, ctx, retried, commit_order(retried, guarded)));
    EXPECT_EQ(first.calls, 1);
    EXPECT_EQ(first.error, guarded.failure) << "key " << ctx.has_value();  // the very exception
    EXPECT_TRUE(first.result.id.empty());
    EXPECT_FALSE(first.result.replayed);
    // Released before done: the retry is processed anew, not refused as in flight.
    const auto again = retry.get();
    EXPECT_FALSE(again.replayed);
    EXPECT_EQ(again.id, retried);
    EXPECT_EQ(store.orders.count(failed), 0u);  // the failed write left nothing
  }
  EXPECT_EQ(store.idempotency.at("\nk1").resource_id, "key-2");
  EXPECT_EQ(guarded.reads, 0);
}

TEST(InFlightKeys, LeaseIsExclusiveUntilDestroyed) {
  InFlightKeys keys;
  {
    auto lease = keys.try_acquire("a");
    ASSERT_TRUE(lease.has_value());
    EXPECT_FALSE(keys.try_acquire("a").has_value());
    EXPECT_TRUE(keys.try_acquire("b").has_value());
    auto moved = std::move(*lease);  // moving keeps the key held
    lease.reset();
    EXPECT_FALSE(keys.try_acquire("a").has_value());
  }
  EXPECT_TRUE(keys.try_acquire("a").has_value());
}

}  // namespace
}  // namespace ninja::domain
