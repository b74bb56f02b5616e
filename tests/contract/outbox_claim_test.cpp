// Outbox contract: how relays claim, publish and release events. Several relays may share one
// outbox: a claim is exclusive until its lease ends, nothing is skipped or lost, and an entity's
// events go out in order — a claim holds only the oldest unpublished event of each entity. There is
// no promise of a global order (a PostgreSQL sequence is not commit order; DynamoDB has none).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "store_contract.hpp"

namespace ninja::contract {
namespace {

using util::Lease;

template <class Backend>
class OutboxClaims : public StoreContract<Backend> {
 protected:
  static constexpr int64_t kT0 = 1'800'000'000'000;
  static Lease lease(const char* owner, int64_t now = kT0, int64_t for_ms = 5000) { return {owner, now, now + for_ms}; }

  // Three committed events: a user's creation, another user's, and the first user's deletion (the
  // later event of an entity whose earlier one is still unpublished).
  std::tuple<events::Event, events::Event, events::Event> created_other_and_deleted() {
    const auto user = this->make_user();
    auto created = this->add_user(user);
    auto other = this->add_user(this->make_user());
    auto deleted = this->deleted_event(events::kUserDeleted, user.id);
    EXPECT_TRUE(this->store().delete_user(user.id, deleted));
    return {std::move(created), std::move(other), std::move(deleted)};
  }

  static std::set<std::string> ids(const std::vector<events::Event>& events) {
    std::set<std::string> out;
    for (const auto& e : events) out.insert(e.id);
    return out;
  }

  // Users and their created events, each user its own entity.
  std::vector<events::Event> add_users(int n) {
    std::vector<events::Event> events;
    for (int i = 0; i < n; ++i) events.push_back(this->add_user(this->make_user()));
    return events;
  }
};
TYPED_TEST_SUITE(OutboxClaims, StoreBackends, BackendName);

TYPED_TEST(OutboxClaims, ClaimsAreExclusiveAndTogetherCoverEverything) {
  const auto all = this->add_users(5);
  auto& outbox = this->outbox_view();
  const auto first = outbox.claim(2, this->lease("relay-a"));
  ASSERT_EQ(first.size(), 2U);
  for (const auto& e : first) {
    const auto same = std::find_if(all.begin(), all.end(), [&](const auto& a) { return a.id == e.id; });
    ASSERT_NE(same, all.end());
    expect_same_event(*same, e);  // claimed events come back exactly as committed
  }
  // Another relay gets the others, never the claimed ones.
  const auto second = outbox.claim(10, this->lease("relay-b"));
  EXPECT_EQ(second.size(), 3U);
  auto together = this->ids(first);
  for (const auto& id : this->ids(second)) EXPECT_TRUE(together.insert(id).second) << id << " claimed twice";
  EXPECT_EQ(together, this->ids(all));
  EXPECT_TRUE(outbox.claim(10, this->lease("relay-c")).empty());
  EXPECT_TRUE(outbox.claim(0, this->lease("relay-c")).empty());
}

TYPED_TEST(OutboxClaims, PublishedEventsAreNeverClaimedAgain) {
  const auto all = this->add_users(3);
  auto& outbox = this->outbox_view();
  ASSERT_EQ(outbox.claim(10, this->lease("relay-a")).size(), 3U);
  outbox.mark_published({all[0].id, all[2].id}, TestFixture::kT0 + 1);
  // Long after every lease ended, only the unpublished one comes back.
  const auto later = outbox.claim(10, this->lease("relay-b", TestFixture::kT0 + 60'000));
  EXPECT_EQ(this->ids(later), this->ids({all[1]}));
  outbox.mark_published({all[1].id}, TestFixture::kT0 + 60'001);
  EXPECT_TRUE(outbox.claim(10, this->lease("relay-c", TestFixture::kT0 + 120'000)).empty());
}

TYPED_TEST(OutboxClaims, AnExpiredLeaseFreesTheClaim) {
  const auto all = this->add_users(2);
  auto& outbox = this->outbox_view();
  ASSERT_EQ(outbox.claim(10, this->lease("crashed", TestFixture::kT0, 1000)).size(), 2U);
  EXPECT_TRUE(outbox.claim(10, this->lease("relay-b", TestFixture::kT0 + 999)).empty());
  const auto taken_over = outbox.claim(10, this->lease("relay-b", TestFixture::kT0 + 1000));
  EXPECT_EQ(this->ids(taken_over), this->ids(all));
}

// A relay whose publish failed tries again before its lease ends: it gets its own claims back.
TYPED_TEST(OutboxClaims, ARelayReclaimsItsOwnLiveClaims) {
  const auto all = this->add_users(3);
  auto& outbox = this->outbox_view();
  ASSERT_EQ(outbox.claim(2, this->lease("relay-a")).size(), 2U);
  const auto again = outbox.claim(10, this->lease("relay-a", TestFixture::kT0 + 100));
  EXPECT_EQ(this->ids(again), this->ids(all));
  EXPECT_TRUE(outbox.claim(10, this->lease("relay-b", TestFixture::kT0 + 200)).empty());
}

TYPED_TEST(OutboxClaims, AClaimHoldsOnlyTheOldestUnpublishedEventOfAnEntity) {
  const auto [created, other, deleted] = this->created_other_and_deleted();

  auto& outbox = this->outbox_view();
  EXPECT_EQ(this->ids(outbox.claim(10, this->lease("relay-a"))), this->ids({created, other}));
  // Neither the same relay (retrying) nor another gets the delete while the create is unpublished,
  // so a failed publish of the create can never let the delete overtake it.
  EXPECT_EQ(this->ids(outbox.claim(10, this->lease("relay-a", TestFixture::kT0 + 1))), this->ids({created, other}));
  EXPECT_TRUE(outbox.claim(10, this->lease("relay-b", TestFixture::kT0 + 2)).empty());
  outbox.mark_published({other.id}, TestFixture::kT0 + 3);
  EXPECT_TRUE(outbox.claim(10, this->lease("relay-b", TestFixture::kT0 + 4)).empty());
  outbox.mark_published({created.id}, TestFixture::kT0 + 5);
  EXPECT_EQ(this->ids(outbox.claim(10, this->lease("relay-b", TestFixture::kT0 + 6))), this->ids({deleted}));
}

// peek_pending keeps claim()'s rule: events come back as committed, and only the oldest unpublished
// event of each entity, so an in-process relay that reads without claiming keeps each entity's order.
TYPED_TEST(OutboxClaims, PeekingFollowsTheClaimRule) {
  const auto [created, other, deleted] = this->created_other_and_deleted();

  auto& outbox = this->outbox_view();
  const auto seen = outbox.peek_pending(10, this->lease("relay-a"));
  EXPECT_EQ(this->ids(seen), this->ids({created, other}));
  for (const auto& e : seen) expect_same_event(e.id == created.id ? created : other, e);
  EXPECT_EQ(outbox.peek_pending(1, this->lease("relay-a", TestFixture::kT0 + 1)).size(), 1U);
  EXPECT_TRUE(outbox.peek_pending(0, this->lease("relay-a", TestFixture::kT0 + 1)).empty());
  outbox.mark_published({created.id, other.id}, TestFixture::kT0 + 2);
  EXPECT_EQ(this->ids(outbox.peek_pending(10, this->lease("relay-a", TestFixture::kT0 + 3))), this->ids({deleted}));
  outbox.mark_published({deleted.id}, TestFixture::kT0 + 4);
  EXPECT_TRUE(outbox.peek_pending(10, this->lease("relay-a", TestFixture::kT0 + 5)).empty());
}

TYPED_TEST(OutboxClaims, AnEventCommittedAfterAClaimIsClaimedByALaterOne) {
  const auto early = this->add_users(2);
  auto& outbox = this->outbox_view();
  ASSERT_EQ(outbox.claim(10, this->lease("relay-a")).size(), 2U);
  outbox.mark_published({early[0].id, early[1].id}, TestFixture::kT0 + 1);
  const auto late = this->add_users(1);
  EXPECT_EQ(this->ids(outbox.claim(10, this->lease("relay-a", TestFixture::kT0 + 2))), this->ids(late));
}

TYPED_TEST(OutboxClaims, OldestUnpublishedIsTheOutboxLag) {
  auto& outbox = this->outbox_view();
  EXPECT_EQ(outbox.oldest_unpublished_ms(), std::nullopt);
  const auto all = this->add_users(2);
  EXPECT_EQ(outbox.oldest_unpublished_ms(), std::min(all[0].time_ms, all[1].time_ms));
  outbox.mark_published({all[0].id}, TestFixture::kT0);
  EXPECT_EQ(outbox.oldest_unpublished_ms(), all[1].time_ms);
  outbox.mark_published({all[1].id}, TestFixture::kT0);
  EXPECT_EQ(outbox.oldest_unpublished_ms(), std::nullopt);
}

TYPED_TEST(OutboxClaims, ClaimsSurviveAReopen) {
  const auto all = this->add_users(2);
  const auto held = this->outbox_view().claim(1, this->lease("relay-a"));
  ASSERT_EQ(held.size(), 1U);
  this->reopen();
  // The lease is in the store, not in memory: still held after a restart, then free.
  const auto rest = this->outbox_view().claim(10, this->lease("relay-b"));
  ASSERT_EQ(rest.size(), 1U);
  EXPECT_NE(rest[0].id, held[0].id);
  // Both leases (relay-a's and relay-b's, taken at kT0 for 5 s) have ended.
  EXPECT_EQ(this->ids(this->outbox_view().claim(10, this->lease("relay-c", TestFixture::kT0 + 5000))), this->ids(all));
}

// Relays racing on one outbox: every event is published exactly once (no lease expires here), and
// each entity's created event goes out before its deleted event.
TYPED_TEST(OutboxClaims, ConcurrentRelaysShareTheWorkAndKeepEachEntitysOrder) {
  constexpr int kUsers = 60;
  for (int i = 0; i < kUsers; ++i) {
    const auto user = this->add_user();
    if (i % 2 == 0) {
      ASSERT_TRUE(this->store().delete_user(user.id, this->deleted_event(events::kUserDeleted, user.id)));
    }
  }
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> types_by_subject;  // in publish order
  std::map<std::string, int> published;
  std::atomic<bool> failed{false};
  auto relay = [&](const std::string& owner) {
    testing_support::BlockingOutbox outbox(*this->ports().outbox);
    for (int idle = 0; idle < 3 && !failed;) {
      try {
        const auto batch = outbox.claim(7, {owner, TestFixture::kT0, TestFixture::kT0 + 3'600'000});
        if (batch.empty()) {
          ++idle;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        idle = 0;
        std::vector<std::string> ids;
        {
          std::lock_guard lock(mutex);
          for (const auto& e : batch) {
            types_by_subject[e.subject].push_back(e.type);
            ++published[e.id];
            ids.push_back(e.id);
          }
        }
        outbox.mark_published(ids, TestFixture::kT0 + 1);
      } catch (const std::exception& e) {
        ADD_FAILURE() << owner << ": " << e.what();
        failed = true;
      }
    }
  };
  std::vector<std::thread> relays;
  for (const char* owner : {"relay-a", "relay-b", "relay-c"}) relays.emplace_back(relay, owner);
  for (auto& t : relays) t.join();

  EXPECT_EQ(published.size(), static_cast<size_t>(kUsers + kUsers / 2));
  for (const auto& [id, times] : published) EXPECT_EQ(times, 1) << id;
  for (const auto& [subject, types] : types_by_subject) {
    ASSERT_FALSE(types.empty());
    EXPECT_EQ(types.front(), events::kUserCreated) << subject;
    if (types.size() == 2) {
      EXPECT_EQ(types.back(), events::kUserDeleted) << subject;
    }
  }
}

// Commit notices are an optional capability: a backend either offers them as declared and they
// arrive, or it offers none and relays rely on polling alone.
TYPED_TEST(OutboxClaims, CommitNoticesArriveWhereTheBackendOffersThem) {
  std::mutex mutex;
  std::condition_variable noticed_cv;
  int notices = 0;
  auto watch = this->ports().outbox->watch_commits([&] {
    {
      std::lock_guard lock(mutex);
      ++notices;
    }
    noticed_cv.notify_all();
  });
  ASSERT_EQ(watch != nullptr, TypeParam::kNotifiesCommits);
  if (!watch) return;
  this->add_user();
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(noticed_cv.wait_for(lock, std::chrono::seconds(10), [&] { return notices > 0; }));
  }
  watch->stop();
  int after_stop = 0;
  {
    std::lock_guard lock(mutex);
    after_stop = notices;
  }
  this->add_user();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::lock_guard lock(mutex);
  EXPECT_EQ(notices, after_stop) << "a stopped watch was called";
}

}  // namespace
}  // namespace ninja::contract
