// IdempotentCreate: the in-flight lease is released before the client hears back, and failing reads.
#include "idempotent_create_fixture.hpp"

namespace ninja::domain {
namespace {

// Its own suite name: the shared fixture is a distinct class in each translation unit.
using IdempotentCreateLeaseTest = IdempotentCreateTest;

// ---- the lease is released before done runs -------------------------------------------------------

TEST_F(IdempotentCreateLeaseTest, LeaseIsReleasedBeforeDoneAfterACommit) {
  Captured first, retry;
  creates.run(context("k1"), prepared("id-1"), commit_order("id-1"),
              then_retry(first, retry, context("k1"), "id-2"));
  EXPECT_EQ(first.get().id, "id-1");
  const auto replay = retry.get();  // not IdempotencyInFlight
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.id, "id-1");
  EXPECT_EQ(commits, 1);
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

TEST_F(IdempotentCreateLeaseTest, FailedReReadAfterALostRaceReachesDone) {
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

TEST_F(IdempotentCreateLeaseTest, FailedFirstReadReachesTheCallerOnceAndReleasesTheLease) {
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
