// Outbox contract: how relays claim, publish and release events. Several relays may share one
// outbox: a claim is exclusive until its lease ends, commit order is kept, and an entity's later
// event never goes out while another relay still holds an earlier one.
#include <chrono>
#include <future>
#include <thread>

#include "store_contract.hpp"

namespace ninja::contract {
namespace {

using storage::Lease;

template <class Backend>
class OutboxClaims : public StoreContract<Backend> {
 protected:
  static constexpr int64_t kT0 = 1'800'000'000'000;
  static Lease lease(const char* owner, int64_t now = kT0, int64_t for_ms = 5000) { return {owner, now, now + for_ms}; }

  static std::vector<std::string> ids(const std::vector<events::Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.id);
    return out;
  }

  // Three users and their events, in commit order.
  std::vector<events::Event> add_users(int n) {
    std::vector<events::Event> events;
    for (int i = 0; i < n; ++i) events.push_back(this->add_user(this->make_user()));
    return events;
  }
};
TYPED_TEST_SUITE(OutboxClaims, StoreBackends, BackendName);

TYPED_TEST(OutboxClaims, ClaimsOldestFirstAndExclusively) {
  const auto all = this->add_users(5);
  auto& outbox = this->outbox_view();
  const auto first = outbox.claim_unpublished(2, this->lease("relay-a"));
  EXPECT_EQ(this->ids(first), this->ids({all[0], all[1]}));
  expect_same_events({all[0], all[1]}, first);
  // Another relay gets the next ones, never the claimed ones.
  const auto second = outbox.claim_unpublished(10, this->lease("relay-b"));
  EXPECT_EQ(this->ids(second), this->ids({all[2], all[3], all[4]}));
  EXPECT_TRUE(outbox.claim_unpublished(10, this->lease("relay-c")).empty());
  EXPECT_TRUE(outbox.claim_unpublished(0, this->lease("relay-c")).empty());
}

TYPED_TEST(OutboxClaims, PublishedEventsAreNeverClaimedAgain) {
  const auto all = this->add_users(3);
  auto& outbox = this->outbox_view();
  const auto claimed = outbox.claim_unpublished(10, this->lease("relay-a"));
  ASSERT_EQ(claimed.size(), 3U);
  outbox.mark_published(this->ids({all[0], all[2]}), TestFixture::kT0 + 1);
  // Long after every lease ended, only the unpublished one comes back.
  const auto later = outbox.claim_unpublished(10, this->lease("relay-b", TestFixture::kT0 + 60'000));
  EXPECT_EQ(this->ids(later), this->ids({all[1]}));
  EXPECT_EQ(this->ids(this->store().unpublished_events(10)), this->ids({all[1]}));
}

TYPED_TEST(OutboxClaims, AnExpiredLeaseFreesTheClaim) {
  const auto all = this->add_users(2);
  auto& outbox = this->outbox_view();
  ASSERT_EQ(outbox.claim_unpublished(10, this->lease("crashed", TestFixture::kT0, 1000)).size(), 2U);
  EXPECT_TRUE(outbox.claim_unpublished(10, this->lease("relay-b", TestFixture::kT0 + 999)).empty());
  const auto taken_over = outbox.claim_unpublished(10, this->lease("relay-b", TestFixture::kT0 + 1000));
  EXPECT_EQ(this->ids(taken_over), this->ids(all));
}

// A relay whose publish failed tries again before its lease ends: it must get its own claims back
// (oldest first), or it would publish later events ahead of them.
TYPED_TEST(OutboxClaims, ARelayReclaimsItsOwnLiveClaims) {
  const auto all = this->add_users(3);
  auto& outbox = this->outbox_view();
  ASSERT_EQ(outbox.claim_unpublished(2, this->lease("relay-a")).size(), 2U);
  const auto again = outbox.claim_unpublished(10, this->lease("relay-a", TestFixture::kT0 + 100));
  EXPECT_EQ(this->ids(again), this->ids(all));
  EXPECT_TRUE(outbox.claim_unpublished(10, this->lease("relay-b", TestFixture::kT0 + 200)).empty());
}

TYPED_TEST(OutboxClaims, AnEntitysLaterEventWaitsForItsEarlierOne) {
  const auto user = this->make_user();
  const auto created = this->add_user(user);
  const auto other = this->add_user(this->make_user());
  const auto deleted = this->deleted_event(events::kUserDeleted, user.id);
  ASSERT_TRUE(this->store().delete_user(user.id, deleted));

  auto& outbox = this->outbox_view();
  ASSERT_EQ(this->ids(outbox.claim_unpublished(1, this->lease("relay-a"))), this->ids({created}));
  // relay-b may take the other user's event, but not the delete while relay-a holds the create.
  EXPECT_EQ(this->ids(outbox.claim_unpublished(10, this->lease("relay-b"))), this->ids({other}));
  outbox.mark_published({created.id, other.id}, TestFixture::kT0 + 1);
  EXPECT_EQ(this->ids(outbox.claim_unpublished(10, this->lease("relay-b", TestFixture::kT0 + 2))),
            this->ids({deleted}));
}

TYPED_TEST(OutboxClaims, OneRelayGetsAnEntitysEventsInOrderInOneClaim) {
  const auto user = this->make_user();
  const auto created = this->add_user(user);
  const auto deleted = this->deleted_event(events::kUserDeleted, user.id);
  ASSERT_TRUE(this->store().delete_user(user.id, deleted));
  EXPECT_EQ(this->ids(this->outbox_view().claim_unpublished(10, this->lease("relay-a"))),
            this->ids({created, deleted}));
}

TYPED_TEST(OutboxClaims, OldestUnpublishedIsTheOutboxLag) {
  auto& outbox = this->outbox_view();
  EXPECT_EQ(outbox.oldest_unpublished_ms(), std::nullopt);
  const auto all = this->add_users(2);
  EXPECT_EQ(outbox.oldest_unpublished_ms(), all[0].time_ms);
  outbox.mark_published({all[0].id}, TestFixture::kT0);
  EXPECT_EQ(outbox.oldest_unpublished_ms(), all[1].time_ms);
  outbox.mark_published({all[1].id}, TestFixture::kT0);
  EXPECT_EQ(outbox.oldest_unpublished_ms(), std::nullopt);
}

TYPED_TEST(OutboxClaims, ClaimsSurviveAReopen) {
  const auto all = this->add_users(2);
  ASSERT_EQ(this->outbox_view().claim_unpublished(1, this->lease("relay-a")).size(), 1U);
  this->reopen();
  // The lease is in the store, not in memory: still held after a restart, then free.
  EXPECT_EQ(this->ids(this->outbox_view().claim_unpublished(10, this->lease("relay-b"))), this->ids({all[1]}));
  // Both leases (relay-a's and relay-b's, taken at kT0 for 5 s) have ended.
  EXPECT_EQ(this->ids(this->outbox_view().claim_unpublished(10, this->lease("relay-c", TestFixture::kT0 + 5000))),
            this->ids(all));
}

TYPED_TEST(OutboxClaims, ACommitWakesAWaitingRelay) {
  auto& outbox = this->outbox_view();
  outbox.wait_for_events(std::chrono::milliseconds(0));  // clear any signal from setup
  auto waited = std::async(std::launch::async, [&] {
    const auto start = std::chrono::steady_clock::now();
    outbox.wait_for_events(std::chrono::seconds(30));
    return std::chrono::steady_clock::now() - start;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  this->add_user(this->make_user());
  // Without the signal the wait would last 30 s.
  EXPECT_LT(waited.get(), std::chrono::seconds(10));
}

TYPED_TEST(OutboxClaims, WakeEndsAWait) {
  auto& outbox = this->outbox_view();
  outbox.wait_for_events(std::chrono::milliseconds(0));
  auto waited = std::async(std::launch::async, [&] {
    const auto start = std::chrono::steady_clock::now();
    outbox.wait_for_events(std::chrono::seconds(30));
    return std::chrono::steady_clock::now() - start;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  outbox.wake();
  EXPECT_LT(waited.get(), std::chrono::seconds(10));
}

TYPED_TEST(OutboxClaims, ARejectedWriteDoesNotWakeTheRelay) {
  auto& outbox = this->outbox_view();
  const auto user = this->add_user();
  outbox.wait_for_events(std::chrono::milliseconds(0));
  auto dup = this->make_user(user.email);  // email taken: nothing committed
  ASSERT_EQ(this->store().create_user(dup, this->user_created_event(dup), nullptr), CreateStatus::email_taken);
  const auto start = std::chrono::steady_clock::now();
  outbox.wait_for_events(std::chrono::milliseconds(300));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
}

}  // namespace
}  // namespace ninja::contract
