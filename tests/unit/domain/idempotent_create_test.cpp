#include <gtest/gtest.h>

#include <stdexcept>

#include "domain/errors.hpp"
#include "domain/idempotent_create.hpp"
#include "fake_store.hpp"

namespace ninja::domain {
namespace {

using fakes::FakeStore;
using storage::CreateStatus;
using storage::IdempotencyRecord;

constexpr int64_t kTtl = 86400000;

class IdempotentCreateTest : public ::testing::Test {
 protected:
  FakeStore store;
  int64_t now = 1795498020123;
  InFlightKeys in_flight;
  IdempotentCreate creates{store, [this] { return now; }, in_flight, kTtl};
  int commits = 0;

  // A commit that behaves like a service: fills the result and the record, writes through the store.
  IdempotentCreate::Commit commit_as(std::string id) {
    return [this, id](IdempotencyRecord* record, CreateResult& result) {
      ++commits;
      result.id = id;
      result.body = "{\"id\":\"" + id + "\"}";
      if (record) {
        record->resource_id = result.id;
        record->body = result.body;
      }
      domain::Order order;
      order.id = id;
      return store.create_order(order, events::Event{}, record);
    };
  }

  static IdempotencyContext context(std::string key, std::string fingerprint = "fp-1", std::string scope = "") {
    return IdempotencyContext{std::move(scope), std::move(key), std::move(fingerprint)};
  }
};

TEST_F(IdempotentCreateTest, WithoutKeyCommitsWithoutRecord) {
  bool saw_null = false;
  const auto result = creates.run(std::nullopt, [&](IdempotencyRecord* record, CreateResult& r) {
    saw_null = record == nullptr;
    r.id = "a";
    r.body = "{}";
    return CreateStatus::created;
  });
  EXPECT_TRUE(saw_null);
  EXPECT_EQ(result.id, "a");
  EXPECT_EQ(result.body, "{}");
  EXPECT_FALSE(result.replayed);
}

TEST_F(IdempotentCreateTest, WithoutKeyEveryCallCreates) {
  creates.run(std::nullopt, commit_as("a"));
  creates.run(std::nullopt, commit_as("b"));
  EXPECT_EQ(commits, 2);
  EXPECT_TRUE(store.idempotency.empty());
}

TEST_F(IdempotentCreateTest, FirstRequestGetsARecordToWriteWithScopeKeyFingerprintAndExpiry) {
  IdempotencyRecord seen;
  creates.run(context("k1", "fp-x", "api-key-7"), [&](IdempotencyRecord* record, CreateResult& r) {
    EXPECT_NE(record, nullptr);
    if (record) seen = *record;
    r.id = "id-1";
    return CreateStatus::created;
  });
  EXPECT_EQ(seen.scope, "api-key-7");
  EXPECT_EQ(seen.key, "k1");
  EXPECT_EQ(seen.fingerprint, "fp-x");
  EXPECT_EQ(seen.created_at_ms, now);
  EXPECT_EQ(seen.expires_at_ms, now + kTtl);
}

TEST_F(IdempotentCreateTest, SameKeySameRequestReplaysWithoutCommitting) {
  const auto first = creates.run(context("k1"), commit_as("id-1"));
  EXPECT_FALSE(first.replayed);
  now += 1000;
  const auto second = creates.run(context("k1"), commit_as("id-2"));
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(store.creates, 1);
  EXPECT_TRUE(second.replayed);
  EXPECT_EQ(second.id, "id-1");
  EXPECT_EQ(second.body, "{\"id\":\"id-1\"}");
}

TEST_F(IdempotentCreateTest, SameKeyDifferentRequestIsAMismatch) {
  creates.run(context("k1", "fp-1"), commit_as("id-1"));
  EXPECT_THROW(creates.run(context("k1", "fp-2"), commit_as("id-2")), IdempotencyMismatch);
  EXPECT_EQ(commits, 1);
}

TEST_F(IdempotentCreateTest, KeysAreScoped) {
  creates.run(context("k1", "fp-1", "client-a"), commit_as("id-1"));
  const auto other = creates.run(context("k1", "fp-2", "client-b"), commit_as("id-2"));
  EXPECT_FALSE(other.replayed);
  EXPECT_EQ(other.id, "id-2");
  EXPECT_EQ(commits, 2);
}

TEST_F(IdempotentCreateTest, ExpiredKeyIsProcessedAgain) {
  creates.run(context("k1"), commit_as("id-1"));
  now += kTtl - 1;
  EXPECT_TRUE(creates.run(context("k1"), commit_as("id-x")).replayed);
  now += 1;  // expires_at reached
  const auto again = creates.run(context("k1"), commit_as("id-2"));
  EXPECT_FALSE(again.replayed);
  EXPECT_EQ(again.id, "id-2");
}

TEST_F(IdempotentCreateTest, ConcurrentDuplicateIsInFlight) {
  bool inner_threw = false;
  creates.run(context("k1"), [&](IdempotencyRecord* record, CreateResult& r) {
    // A second request with the key arrives while the first is being processed.
    try {
      creates.run(context("k1"), commit_as("id-2"));
    } catch (const IdempotencyInFlight&) {
      inner_threw = true;
    }
    // Another key is not blocked.
    EXPECT_FALSE(creates.run(context("k2"), commit_as("id-3")).replayed);
    return commit_as("id-1")(record, r);
  });
  EXPECT_TRUE(inner_threw);
  // Once finished, the lease is gone and the duplicate is a replay.
  EXPECT_TRUE(creates.run(context("k1"), commit_as("id-4")).replayed);
}

TEST_F(IdempotentCreateTest, LeaseIsReleasedWhenCommitThrows) {
  EXPECT_THROW(creates.run(context("k1"),
                           [](IdempotencyRecord*, CreateResult&) -> CreateStatus { throw std::runtime_error("db"); }),
               std::runtime_error);
  const auto retry = creates.run(context("k1"), commit_as("id-1"));
  EXPECT_FALSE(retry.replayed);
  EXPECT_EQ(retry.id, "id-1");
}

TEST_F(IdempotentCreateTest, LostRaceAgainstAnotherProcessReplaysTheWinner) {
  // The winner's record becomes visible only when our commit finds the key taken.
  const auto result = creates.run(context("k1", "fp-1"), [&](IdempotencyRecord*, CreateResult& r) {
    r.id = "ours";
    store.put_idempotency({"", "k1", "fp-1", "theirs", "{\"id\":\"theirs\"}", now, now + kTtl});
    return CreateStatus::idempotency_taken;
  });
  EXPECT_TRUE(result.replayed);
  EXPECT_EQ(result.id, "theirs");
  EXPECT_EQ(result.body, "{\"id\":\"theirs\"}");
}

TEST_F(IdempotentCreateTest, LostRaceWithDifferentRequestIsAMismatch) {
  EXPECT_THROW(creates.run(context("k1", "fp-1"),
                           [&](IdempotencyRecord*, CreateResult&) {
                             store.put_idempotency({"", "k1", "fp-other", "theirs", "{}", now, now + kTtl});
                             return CreateStatus::idempotency_taken;
                           }),
               IdempotencyMismatch);
}

TEST_F(IdempotentCreateTest, TakenButInvisibleRecordIsInFlight) {
  EXPECT_THROW(creates.run(context("k1"), [](IdempotencyRecord*, CreateResult&) {
    return CreateStatus::idempotency_taken;
  }),
               IdempotencyInFlight);
}

TEST_F(IdempotentCreateTest, OtherStatusesArePassedBackToTheCaller) {
  // email_taken/user_missing are the services' business (they throw); run returns the result as filled.
  const auto result = creates.run(context("k1"), [](IdempotencyRecord*, CreateResult& r) {
    r.id = "x";
    return CreateStatus::email_taken;
  });
  EXPECT_EQ(result.id, "x");
  EXPECT_FALSE(result.replayed);
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
