#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "domain/errors.hpp"
#include "domain/idempotent_create.hpp"
#include "fake_store.hpp"

namespace ninja::domain {
namespace {

using fakes::FakeStore;
using storage::CreateStatus;
using storage::IdempotencyRecord;
using Record = std::optional<IdempotencyRecord>;
using Committed = storage::Completion<CreateStatus>;

constexpr int64_t kTtl = 86400000;

// What a CreateDone delivered, and how often it was called.
struct Captured {
  int calls = 0;
  CreateResult result;
  std::exception_ptr error;
  std::thread::id thread;

  CreateDone done() {
    return [this](CreateResult r, std::exception_ptr e) {
      ++calls;
      result = std::move(r);
      error = std::move(e);
      thread = std::this_thread::get_id();
    };
  }
  // The result, or the error rethrown; fails the test unless done ran exactly once.
  CreateResult get() const {
    EXPECT_EQ(calls, 1) << "done must be called exactly once";
    if (calls == 0) throw std::logic_error("done was never called");
    if (error) std::rethrow_exception(error);
    return result;
  }
};

class IdempotentCreateTest : public ::testing::Test {
 protected:
  FakeStore store;
  int64_t now = 1795498020123;
  InFlightKeys in_flight;
  IdempotentCreate creates{store, [this] { return now; }, in_flight, kTtl};
  int commits = 0;

  // What a service prepares for the entity `id`.
  static CreateResult prepared(const std::string& id) { return CreateResult{id, "{\"id\":\"" + id + "\"}", false}; }

  // A commit that behaves like a service: writes the entity and the record it is given through the store.
  IdempotentCreate::Commit commit_order(std::string id) {
    return [this, id](Record record, Committed done) {
      ++commits;
      domain::Order order;
      order.id = id;
      store.create_order(std::move(order), events::Event{}, std::move(record), std::move(done));
    };
  }

  // A commit whose store answers `status` (or fails with `error`) at once and writes nothing.
  IdempotentCreate::Commit commit_answering(CreateStatus status, std::exception_ptr error = nullptr) {
    return [this, status, error](Record, Committed done) {
      ++commits;
      done(status, error);
    };
  }

  // Runs a create and returns its result, or rethrows the error `done` delivered.
  CreateResult run(const std::optional<IdempotencyContext>& context, CreateResult p,
                   const IdempotentCreate::Commit& commit) {
    Captured out;
    creates.run(context, std::move(p), commit, out.done());
    return out.get();
  }
  CreateResult create(const std::optional<IdempotencyContext>& context, const std::string& id) {
    return run(context, prepared(id), commit_order(id));
  }

  // A `done` that records into `first`, then at once starts a retry with `context` (like a client
  // retrying the moment it hears back) whose outcome goes to `retry`.
  CreateDone then_retry(Captured& first, Captured& retry, IdempotencyContext context, std::string id) {
    return [this, &first, &retry, context, id](CreateResult r, std::exception_ptr e) {
      first.done()(std::move(r), std::move(e));
      creates.run(context, prepared(id), commit_order(id), retry.done());
    };
  }

  static IdempotencyContext context(std::string key, std::string fingerprint = "fp-1", std::string scope = "") {
    return IdempotencyContext{std::move(scope), std::move(key), std::move(fingerprint)};
  }
};

TEST_F(IdempotentCreateTest, WithoutKeyCommitsWithoutRecord) {
  bool called = false;
  bool saw_record = true;
  const auto result = run(std::nullopt, CreateResult{"a", "{}", false}, [&](Record record, Committed done) {
    called = true;
    saw_record = record.has_value();
    done(CreateStatus::created, nullptr);
  });
  EXPECT_TRUE(called);
  EXPECT_FALSE(saw_record);
  EXPECT_EQ(result.id, "a");
  EXPECT_EQ(result.body, "{}");
  EXPECT_FALSE(result.replayed);
}

TEST_F(IdempotentCreateTest, WithoutKeyEveryCallCreates) {
  EXPECT_EQ(create(std::nullopt, "a").id, "a");
  EXPECT_EQ(create(std::nullopt, "b").id, "b");
  EXPECT_EQ(commits, 2);
  EXPECT_EQ(store.creates, 2);
  EXPECT_TRUE(store.idempotency.empty());
}

TEST_F(IdempotentCreateTest, FirstRequestGetsARecordToWriteWithScopeKeyFingerprintResponseAndExpiry) {
  IdempotencyRecord seen;
  const auto result = run(context("k1", "fp-x", "api-key-7"), prepared("id-1"), [&](Record record, Committed done) {
    EXPECT_TRUE(record.has_value());
    if (record) seen = *record;
    done(CreateStatus::created, nullptr);
  });
  EXPECT_EQ(seen.scope, "api-key-7");
  EXPECT_EQ(seen.key, "k1");
  EXPECT_EQ(seen.fingerprint, "fp-x");
  EXPECT_EQ(seen.resource_id, "id-1");
  EXPECT_EQ(seen.body, "{\"id\":\"id-1\"}");
  EXPECT_EQ(seen.created_at_ms, now);
  EXPECT_EQ(seen.expires_at_ms, now + kTtl);
  EXPECT_EQ(result.id, "id-1");
  EXPECT_EQ(result.body, "{\"id\":\"id-1\"}");
  EXPECT_FALSE(result.replayed);
}

TEST_F(IdempotentCreateTest, SameKeySameRequestReplaysWithoutCommitting) {
  const auto first = create(context("k1"), "id-1");
  EXPECT_FALSE(first.replayed);
  now += 1000;
  const auto second = create(context("k1"), "id-2");
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(store.creates, 1);
  EXPECT_TRUE(second.replayed);
  EXPECT_EQ(second.id, "id-1");
  EXPECT_EQ(second.body, "{\"id\":\"id-1\"}");
}

TEST_F(IdempotentCreateTest, SameKeyDifferentRequestIsAMismatch) {
  create(context("k1", "fp-1"), "id-1");
  EXPECT_THROW(create(context("k1", "fp-2"), "id-2"), IdempotencyMismatch);
  EXPECT_EQ(commits, 1);
}

TEST_F(IdempotentCreateTest, KeysAreScoped) {
  create(context("k1", "fp-1", "client-a"), "id-1");
  const auto other = create(context("k1", "fp-2", "client-b"), "id-2");
  EXPECT_FALSE(other.replayed);
  EXPECT_EQ(other.id, "id-2");
  EXPECT_EQ(commits, 2);
}

TEST_F(IdempotentCreateTest, ExpiredKeyIsProcessedAgain) {
  create(context("k1"), "id-1");
  now += kTtl - 1;
  EXPECT_TRUE(create(context("k1"), "id-x").replayed);
  now += 1;  // expires_at reached
  const auto again = create(context("k1"), "id-2");
  EXPECT_FALSE(again.replayed);
  EXPECT_EQ(again.id, "id-2");
}

TEST_F(IdempotentCreateTest, ConcurrentDuplicateIsInFlight) {
  Captured duplicate, other_key;
  const auto first = run(context("k1"), prepared("id-1"), [&](Record record, Committed done) {
    // A second request with the key arrives while the first is being processed.
    creates.run(context("k1"), prepared("id-2"), commit_order("id-2"), duplicate.done());
    // Another key is not blocked.
    creates.run(context("k2"), prepared("id-3"), commit_order("id-3"), other_key.done());
    commit_order("id-1")(std::move(record), std::move(done));
  });
  EXPECT_THROW(duplicate.get(), IdempotencyInFlight);
  EXPECT_EQ(other_key.get().id, "id-3");
  EXPECT_FALSE(other_key.result.replayed);
  EXPECT_EQ(first.id, "id-1");
  EXPECT_FALSE(first.replayed);
  EXPECT_EQ(commits, 2);  // the duplicate never reached the store
  // Once finished, the lease is gone and the duplicate is a replay.
  const auto later = create(context("k1"), "id-4");
  EXPECT_TRUE(later.replayed);
  EXPECT_EQ(later.id, "id-1");
}

TEST_F(IdempotentCreateTest, DeferredCompletionKeepsTheKeyInFlightUntilItIsCalled) {
  // The store batches the commit (group commit): its completion comes later.
  Record pending_record;
  Committed pending;
  Captured first;
  creates.run(
      context("k1"), prepared("id-1"),
      [&](Record record, Committed done) {
        pending_record = std::move(record);
        pending = std::move(done);
      },
      first.done());
  ASSERT_TRUE(pending);
  ASSERT_TRUE(pending_record.has_value());
  EXPECT_EQ(first.calls, 0) << "done must wait for the commit";

  for (int attempt = 0; attempt < 2; ++attempt) {  // a refused duplicate does not free the key
    Captured duplicate;
    creates.run(context("k1"), prepared("id-2"), commit_order("id-2"), duplicate.done());
    EXPECT_THROW(duplicate.get(), IdempotencyInFlight) << attempt;
  }
  EXPECT_EQ(create(context("k2"), "id-3").id, "id-3");  // other keys are not held up
  EXPECT_EQ(first.calls, 0);

  store.put_idempotency(*pending_record);  // the batch commits
  pending(CreateStatus::created, nullptr);
  const auto result = first.get();
  EXPECT_EQ(result.id, "id-1");
  EXPECT_EQ(result.body, "{\"id\":\"id-1\"}");
  EXPECT_FALSE(result.replayed);
  const auto retry = create(context("k1"), "id-4");
  EXPECT_TRUE(retry.replayed);
  EXPECT_EQ(retry.id, "id-1");
}

TEST_F(IdempotentCreateTest, CompletionMayArriveOnAnotherThread) {
  Record pending_record;
  Committed pending;
  Captured first;
  creates.run(
      context("k1"), prepared("id-1"),
      [&](Record record, Committed done) {
        pending_record = std::move(record);
        pending = std::move(done);
      },
      first.done());
  ASSERT_TRUE(pending);
  std::thread store_thread([&] {
    store.put_idempotency(*pending_record);
    pending(CreateStatus::created, nullptr);
  });
  const auto store_thread_id = store_thread.get_id();
  store_thread.join();
  EXPECT_EQ(first.get().id, "id-1");
  EXPECT_EQ(first.thread, store_thread_id);
  EXPECT_TRUE(create(context("k1"), "id-2").replayed);
}

TEST_F(IdempotentCreateTest, DeferredFailureKeepsTheKeyInFlightThenFreesIt) {
  Committed pending;
  Captured first;
  creates.run(
      context("k1"), prepared("id-1"), [&](Record, Committed done) { pending = std::move(done); }, first.done());
  ASSERT_TRUE(pending);
  Captured duplicate;
  creates.run(context("k1"), prepared("id-2"), commit_order("id-2"), duplicate.done());
  EXPECT_THROW(duplicate.get(), IdempotencyInFlight);

  const auto failure = std::make_exception_ptr(std::runtime_error("disk I/O error"));
  pending(CreateStatus{}, failure);
  EXPECT_THROW(first.get(), std::runtime_error);
  EXPECT_EQ(first.error, failure);
  // Nothing was written: a retry is processed anew.
  const auto retry = create(context("k1"), "id-3");
  EXPECT_FALSE(retry.replayed);
  EXPECT_EQ(retry.id, "id-3");
}

TEST_F(IdempotentCreateTest, StoreErrorReachesDoneUnchanged) {
  // Whatever status accompanies it, an error wins: no success, no replay lookup.
  for (const auto status : {CreateStatus::created, CreateStatus::email_taken, CreateStatus::user_missing,
                            CreateStatus::idempotency_taken}) {
    for (const auto& ctx : {std::optional<IdempotencyContext>(), std::optional(context("k1"))}) {
      const auto failure = std::make_exception_ptr(std::runtime_error("database is locked"));
      Captured out;
      creates.run(ctx, prepared("id-1"), commit_answering(status, failure), out.done());
      EXPECT_EQ(out.calls, 1);
      EXPECT_EQ(out.error, failure) << "status " << static_cast<int>(status) << ", key " << ctx.has_value();
      EXPECT_TRUE(out.result.id.empty());
      EXPECT_TRUE(out.result.body.empty());
      EXPECT_FALSE(out.result.replayed);
    }
  }
  // The key was not left in flight.
  EXPECT_FALSE(create(context("k1"), "id-2").replayed);
}

TEST_F(IdempotentCreateTest, CommitThrowingReachesTheCallerOnceAndReleasesTheLease) {
  // A store that refuses a write up front (e.g. shutting down) throws instead of completing.
  Captured out;
  bool threw = false;
  try {
    creates.run(
        context("k1"), prepared("id-1"), [](Record, Committed) { throw std::runtime_error("db"); }, out.done());
  } catch (const std::runtime_error& e) {
    threw = true;
    EXPECT_STREQ(e.what(), "db");
  }
  // Exactly one of: run throws, or done gets the error.
  if (threw) {
    EXPECT_EQ(out.calls, 0);
  } else {
    EXPECT_THROW(out.get(), std::runtime_error);
  }
  const auto retry = create(context("k1"), "id-1");
  EXPECT_FALSE(retry.replayed);
  EXPECT_EQ(retry.id, "id-1");
}

TEST_F(IdempotentCreateTest, LostRaceAgainstAnotherProcessReplaysTheWinner) {
  // The winner's record becomes visible only when our commit finds the key taken.
  const auto result = run(context("k1", "fp-1"), prepared("ours"), [&](Record, Committed done) {
    store.put_idempotency({"", "k1", "fp-1", "theirs", "{\"id\":\"theirs\"}", now, now + kTtl});
    done(CreateStatus::idempotency_taken, nullptr);
  });
  EXPECT_TRUE(result.replayed);
  EXPECT_EQ(result.id, "theirs");
  EXPECT_EQ(result.body, "{\"id\":\"theirs\"}");
}

TEST_F(IdempotentCreateTest, LostRaceWithDifferentRequestIsAMismatch) {
  EXPECT_THROW(run(context("k1", "fp-1"), prepared("ours"),
                   [&](Record, Committed done) {
                     store.put_idempotency({"", "k1", "fp-other", "theirs", "{}", now, now + kTtl});
                     done(CreateStatus::idempotency_taken, nullptr);
                   }),
               IdempotencyMismatch);
}

TEST_F(IdempotentCreateTest, TakenButInvisibleRecordIsInFlight) {
  EXPECT_THROW(run(context("k1"), prepared("ours"), commit_answering(CreateStatus::idempotency_taken)),
               IdempotencyInFlight);
}

TEST_F(IdempotentCreateTest, EmailTakenStatusIsEmailTaken) {
  EXPECT_THROW(run(std::nullopt, prepared("x"), commit_answering(CreateStatus::email_taken)), EmailTaken);
  EXPECT_THROW(run(context("k1"), prepared("x"), commit_answering(CreateStatus::email_taken)), EmailTaken);
  // Nothing was written under the key: a retry is processed anew.
  const auto retry = create(context("k1"), "y");
  EXPECT_FALSE(retry.replayed);
  EXPECT_EQ(retry.id, "y");
}

TEST_F(IdempotentCreateTest, UserMissingStatusIsValidationErrorOnUserId) {
  for (const auto& ctx : {std::optional<IdempotencyContext>(), std::optional(context("k1"))}) {
    try {
      run(ctx, prepared("x"), commit_answering(CreateStatus::user_missing));
      ADD_FAILURE() << "expected ValidationError";
    } catch (const ValidationError& e) {
      ASSERT_EQ(e.errors().size(), 1u);
      EXPECT_EQ(e.errors()[0].field, "user_id");
    }
  }
}

// ---- the lease is released before done runs -------------------------------------------------------

TEST_F(IdempotentCreateTest, LeaseIsReleasedBeforeDoneAfterACommit) {
  Captured first, retry;
  creates.run(context("k1"), prepared("id-1"), commit_order("id-1"),
              then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_EQ(first.get().id, "id-1");
  const auto replay = retry.get();  // not IdempotencyInFlight
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "id-1");
  EXPECT_EQ(commits, 1);
}

TEST_F(IdempotentCreateTest, LeaseIsReleasedBeforeDoneAfterAStoreError) {
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

TEST_F(IdempotentCreateTest, LeaseIsReleasedBeforeDoneAfterADomainError) {
  Captured first, retry;
  creates.run(context("k1"), prepared("id-1"), commit_answering(CreateStatus::email_taken),
              then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_THROW(first.get(), EmailTaken);
  EXPECT_EQ(retry.get().id, "id-2");
}

TEST_F(IdempotentCreateTest, LeaseIsReleasedBeforeDoneAfterALostRace) {
  Captured first, retry;
  creates.run(
      context("k1"), prepared("ours"),
      [&](Record, Committed done) {
        store.put_idempotency({"", "k1", "fp-1", "theirs", "{\"id\":\"theirs\"}", now, now + kTtl});
        done(CreateStatus::idempotency_taken, nullptr);
      },
      then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_EQ(first.get().id, "theirs");
  const auto replay = retry.get();
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "theirs");
}

TEST_F(IdempotentCreateTest, LeaseIsReleasedBeforeDoneOfAReplay) {
  create(context("k1"), "id-1");
  Captured second, third;
  creates.run(context("k1"), prepared("id-2"), commit_order("id-2"), then_retry(second, third, context("k1"), "id-3"));
  EXPECT_TRUE(second.get().replayed);
  const auto replay = third.get();  // not IdempotencyInFlight
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "id-1");
}

TEST_F(IdempotentCreateTest, LeaseIsReleasedBeforeDoneOfAMismatch) {
  create(context("k1", "fp-1"), "id-1");
  Captured second, third;
  creates.run(context("k1", "fp-2"), prepared("id-2"), commit_order("id-2"),
              then_retry(second, third, context("k1", "fp-1"), "id-3"));
  EXPECT_THROW(second.get(), IdempotencyMismatch);
  const auto replay = third.get();  // not IdempotencyInFlight
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "id-1");
}

// ---- store reads that fail -------------------------------------------------------------------------

// Delegates to a FakeStore; idempotency reads throw while `fail_reads` is set.
class FlakyReadStore final : public storage::Store {
 public:
  explicit FlakyReadStore(FakeStore& inner) : inner_(inner) {}
  bool fail_reads = false;

  using storage::Store::create_order;
  using storage::Store::create_user;
  using storage::Store::delete_order;
  using storage::Store::delete_user;
  bool ready() override { return inner_.ready(); }
  void create_user(domain::User user, events::Event event, Record record, Committed done) override {
    inner_.create_user(std::move(user), std::move(event), std::move(record), std::move(done));
  }
  void create_order(domain::Order order, events::Event event, Record record, Committed done) override {
    inner_.create_order(std::move(order), std::move(event), std::move(record), std::move(done));
  }
  void delete_user(std::string id, events::Event event, storage::Completion<bool> done) override {
    inner_.delete_user(std::move(id), std::move(event), std::move(done));
  }
  void delete_order(std::string id, events::Event event, storage::Completion<bool> done) override {
    inner_.delete_order(std::move(id), std::move(event), std::move(done));
  }
  std::optional<domain::User> find_user(std::string_view id) override { return inner_.find_user(id); }
  std::optional<domain::Order> find_order(std::string_view id) override { return inner_.find_order(id); }
  storage::Page<domain::User> list_users(const storage::PageQuery& q) override { return inner_.list_users(q); }
  storage::Page<domain::Order> list_orders(const storage::PageQuery& q, std::optional<std::string_view> u) override {
    return inner_.list_orders(q, u);
  }
  Record find_idempotency(std::string_view scope, std::string_view key, int64_t now_ms) override {
    if (fail_reads) throw std::runtime_error("read failed");
    return inner_.find_idempotency(scope, key, now_ms);
  }
  size_t purge_idempotency(int64_t now_ms) override { return inner_.purge_idempotency(now_ms); }
  std::vector<events::Event> unpublished_events(size_t limit) override { return inner_.unpublished_events(limit); }

 private:
  FakeStore& inner_;
};

TEST_F(IdempotentCreateTest, FailedReReadAfterALostRaceReachesDone) {
  FlakyReadStore flaky{store};
  IdempotentCreate over_flaky{flaky, [this] { return now; }, in_flight, kTtl};
  Captured out;
  over_flaky.run(
      context("k1"), prepared("ours"),
      [&](Record, Committed done) {
        flaky.fail_reads = true;  // the re-read of the winner's record fails
        done(CreateStatus::idempotency_taken, nullptr);
      },
      out.done());
  EXPECT_THROW(out.get(), std::runtime_error);
  flaky.fail_reads = false;
  EXPECT_FALSE(create(context("k1"), "id-2").replayed);  // the key is not left in flight
}

TEST_F(IdempotentCreateTest, FailedFirstReadReachesTheCallerOnceAndReleasesTheLease) {
  FlakyReadStore flaky{store};
  IdempotentCreate over_flaky{flaky, [this] { return now; }, in_flight, kTtl};
  flaky.fail_reads = true;
  Captured out;
  bool threw = false;
  try {
    over_flaky.run(context("k1"), prepared("id-1"), commit_order("id-1"), out.done());
  } catch (const std::runtime_error& e) {
    threw = true;
    EXPECT_STREQ(e.what(), "read failed");
  }
  if (threw) {
    EXPECT_EQ(out.calls, 0);
  } else {
    EXPECT_THROW(out.get(), std::runtime_error);
  }
  EXPECT_EQ(commits, 0);
  flaky.fail_reads = false;
  EXPECT_FALSE(create(context("k1"), "id-2").replayed);
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
