// IdempotentCreate: keys, replays, mismatches, in-flight and deferred commits, the store's answers.
#include "idempotent_create_fixture.hpp"

namespace ninja::domain {
namespace {

TEST_F(IdempotentCreateTest, WithoutKeyCommitsWithoutRecord) {
  bool called = false;
  bool saw_record = true;
  const auto result = run(std::nullopt, CreateResult{"a", "{}", false}, [&](Record record, Committed done) {
    called = true;
    saw_record = record.has_value();
    done(CreateOutcome{}, nullptr);
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
    done(CreateOutcome{}, nullptr);
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

TEST_F(IdempotentCreateTest, SameKeySameRequestReplaysTheStoresAnswerWithoutWriting) {
  const auto first = create(context("k1"), "id-1");
  EXPECT_FALSE(first.replayed);
  now += 1000;
  const auto second = create(context("k1"), "id-2");
  // The retry reaches the store's transaction, which finds the key taken and writes nothing.
  EXPECT_EQ(commits, 2);
  EXPECT_EQ(store.creates, 2);
  EXPECT_TRUE(second.replayed);
  EXPECT_EQ(second.id, "id-1");
  EXPECT_EQ(second.body, "{\"id\":\"id-1\"}");
  EXPECT_EQ(store.orders.count("id-2"), 0u);
  EXPECT_EQ(store.orders.size(), 1u);
  EXPECT_EQ(store.events.size(), 1u);
  ASSERT_EQ(store.idempotency.size(), 1u);
  EXPECT_EQ(store.idempotency.begin()->second.resource_id, "id-1");
  EXPECT_EQ(store.idempotency.begin()->second.created_at_ms, now - 1000);  // not overwritten
}

TEST_F(IdempotentCreateTest, SameKeyDifferentRequestIsAMismatchAndWritesNothing) {
  create(context("k1", "fp-1"), "id-1");
  EXPECT_THROW(create(context("k1", "fp-2"), "id-2"), IdempotencyMismatch);
  EXPECT_EQ(commits, 2);
  EXPECT_EQ(store.orders.count("id-2"), 0u);
  EXPECT_EQ(store.events.size(), 1u);
  ASSERT_EQ(store.idempotency.size(), 1u);
  EXPECT_EQ(store.idempotency.begin()->second.fingerprint, "fp-1");
  EXPECT_EQ(store.idempotency.begin()->second.resource_id, "id-1");
  // The original request still replays.
  EXPECT_EQ(create(context("k1", "fp-1"), "id-3").id, "id-1");
}

TEST_F(IdempotentCreateTest, KeysAreScoped) {
  create(context("k1", "fp-1", "client-a"), "id-1");
  const auto other = create(context("k1", "fp-2", "client-b"), "id-2");
  EXPECT_FALSE(other.replayed);
  EXPECT_EQ(other.id, "id-2");
  EXPECT_EQ(commits, 2);
  EXPECT_EQ(store.orders.size(), 2u);
  EXPECT_EQ(store.idempotency.size(), 2u);
}

TEST_F(IdempotentCreateTest, ExpiredKeyIsProcessedAgain) {
  const int64_t first_at = now;
  create(context("k1"), "id-1");
  now += kTtl - 1;
  EXPECT_TRUE(create(context("k1"), "id-x").replayed);
  EXPECT_EQ(store.orders.count("id-x"), 0u);
  now += 1;  // expires_at reached: the store treats the key as free
  const auto again = create(context("k1"), "id-2");
  EXPECT_FALSE(again.replayed);
  EXPECT_EQ(again.id, "id-2");
  EXPECT_EQ(store.orders.count("id-2"), 1u);
  EXPECT_EQ(store.events.size(), 2u);
  // The fresh record replaces the expired one, and later retries replay it.
  const auto& record = store.idempotency.at("\nk1");
  EXPECT_EQ(record.resource_id, "id-2");
  EXPECT_EQ(record.created_at_ms, first_at + kTtl);
  EXPECT_EQ(record.expires_at_ms, first_at + 2 * kTtl);
  const auto retry = create(context("k1"), "id-3");
  EXPECT_TRUE(retry.replayed);
  EXPECT_EQ(retry.id, "id-2");
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
  EXPECT_EQ(store.creates, 2);
  // Once finished, the lease is gone and the duplicate is a replay that writes nothing.
  const auto later = create(context("k1"), "id-4");
  EXPECT_TRUE(later.replayed);
  EXPECT_EQ(later.id, "id-1");
  EXPECT_EQ(store.orders.count("id-2") + store.orders.count("id-4"), 0u);
  EXPECT_EQ(store.orders.size(), 2u);
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
  pending(CreateOutcome{}, nullptr);
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
    pending(CreateOutcome{}, nullptr);
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
  pending(CreateOutcome{}, failure);
  EXPECT_THROW(first.get(), std::runtime_error);
  EXPECT_EQ(first.error, failure);
  // Nothing was written: a retry is processed anew.
  const auto retry = create(context("k1"), "id-3");
  EXPECT_FALSE(retry.replayed);
  EXPECT_EQ(retry.id, "id-3");
}

TEST_F(IdempotentCreateTest, StoreErrorReachesDoneUnchanged) {
  // Whatever outcome accompanies it (even the record holding the key), an error wins: no success,
  // no replay.
  for (const auto status : {CreateStatus::created, CreateStatus::email_taken, CreateStatus::user_missing,
                            CreateStatus::idempotency_taken}) {
    for (const auto& existing : {Record(), Record(theirs())}) {
      for (const auto& ctx : {std::optional<IdempotencyContext>(), std::optional(context("k1"))}) {
        const auto failure = std::make_exception_ptr(std::runtime_error("database is locked"));
        Captured out;
        creates.run(ctx, prepared("id-1"), commit_answering(status, failure, existing), out.done());
        EXPECT_EQ(out.calls, 1);
        EXPECT_EQ(out.error, failure) << "status " << static_cast<int>(status) << ", existing " << existing.has_value()
                                      << ", key " << ctx.has_value();
        EXPECT_TRUE(out.result.id.empty());
        EXPECT_TRUE(out.result.body.empty());
        EXPECT_FALSE(out.result.replayed);
      }
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

// ---- the store's answer decides: idempotency_taken, with or without the live record ---------------

TEST_F(IdempotentCreateTest, TakenWithTheSameRequestsRecordReplaysIt) {
  const auto result = run(context("k1", "fp-1"), prepared("ours"), commit_taken_by(theirs("fp-1")));
  EXPECT_EQ(commits, 1);
  EXPECT_TRUE(result.replayed);
  EXPECT_EQ(result.id, "theirs");
  EXPECT_EQ(result.body, "{\"id\":\"theirs\"}");
}

TEST_F(IdempotentCreateTest, TakenWithAnotherRequestsRecordIsAMismatch) {
  EXPECT_THROW(run(context("k1", "fp-1"), prepared("ours"), commit_taken_by(theirs("fp-other"))), IdempotencyMismatch);
  EXPECT_EQ(commits, 1);
}

TEST_F(IdempotentCreateTest, LostRaceAgainstAnotherProcessReplaysTheWinner) {
  // Another process commits the key after we took our lease; our transaction then finds it live
  // and answers with the winner's record, writing nothing of ours.
  const auto result = run(context("k1", "fp-1"), prepared("ours"), [&](Record record, Committed done) {
    store.put_idempotency(theirs("fp-1"));
    commit_order("ours")(std::move(record), std::move(done));
  });
  EXPECT_TRUE(result.replayed);
  EXPECT_EQ(result.id, "theirs");
  EXPECT_EQ(result.body, "{\"id\":\"theirs\"}");
  EXPECT_EQ(store.creates, 1);
  EXPECT_TRUE(store.orders.empty());
  EXPECT_TRUE(store.events.empty());
  EXPECT_EQ(store.idempotency.at("\nk1").resource_id, "theirs");
}

TEST_F(IdempotentCreateTest, LostRaceWithDifferentRequestIsAMismatch) {
  EXPECT_THROW(run(context("k1", "fp-1"), prepared("ours"),
                   [&](Record record, Committed done) {
                     store.put_idempotency(theirs("fp-other"));
                     commit_order("ours")(std::move(record), std::move(done));
                   }),
               IdempotencyMismatch);
  EXPECT_TRUE(store.orders.empty());
  EXPECT_TRUE(store.events.empty());
  EXPECT_EQ(store.idempotency.at("\nk1").fingerprint, "fp-other");
}

TEST_F(IdempotentCreateTest, TakenWithoutTheRecordIsInFlight) {
  EXPECT_THROW(run(context("k1"), prepared("ours"), commit_answering(CreateStatus::idempotency_taken)),
               IdempotencyInFlight);
  // The same through the FakeStore: forced taken while no live record exists, so none comes back.
  store.next_status = CreateStatus::idempotency_taken;
  EXPECT_THROW(create(context("k1"), "ours"), IdempotencyInFlight);
  EXPECT_EQ(store.creates, 1);
  EXPECT_TRUE(store.orders.empty());
  // Our lease is not what made it in flight: it is released, and a retry is processed anew.
  const auto retry = create(context("k1"), "id-2");
  EXPECT_FALSE(retry.replayed);
  EXPECT_EQ(retry.id, "id-2");
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

}  // namespace
}  // namespace ninja::domain
