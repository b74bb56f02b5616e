// Outbox::claim_subjects on DynamoDB (the relay function woken by the outbox table's stream), on
// moto_server: it claims the oldest pending event of each named subject, reading the subject's
// partition rather than the pending index, and nothing of other subjects; leases hold as in claim().
#include <gtest/gtest.h>

#include <set>

#include "dynamodb_backend.hpp"
#include "store_contract.hpp"

namespace ninja::contract {
namespace {

constexpr int64_t kStreamTime = 1'800'000'000'000;

util::Lease stream_lease(const char* owner, int64_t now = kStreamTime) { return {owner, now, now + 5000}; }

std::set<std::string> event_ids(const std::vector<events::Event>& events) {
  std::set<std::string> out;
  for (const auto& e : events) out.insert(e.id);
  return out;
}

class DynamoDbSubjectClaims : public StoreContract<DynamoDbBackend> {};

TEST_F(DynamoDbSubjectClaims, ClaimsTheNamedSubjectsOnly) {
  const auto a = add_user(make_user());
  const auto b = add_user(make_user());
  const auto c = add_user(make_user());
  auto& outbox = outbox_view();
  const auto claimed = outbox.claim_subjects({a.subject, c.subject, a.subject}, stream_lease("stream-relay"));
  EXPECT_EQ(event_ids(claimed), (std::set<std::string>{a.id, c.id}));  // a named twice is claimed once
  for (const auto& e : claimed) expect_same_event(e.id == a.id ? a : c, e);
  // b was not named: a claim of everything finds it, and only it (a and c are leased).
  EXPECT_EQ(event_ids(outbox.claim(10, stream_lease("sweep"))), std::set<std::string>{b.id});
}

TEST_F(DynamoDbSubjectClaims, ALeasedOrPublishedEventIsNotClaimedAgain) {
  const auto a = add_user(make_user());
  auto& outbox = outbox_view();
  ASSERT_EQ(outbox.claim_subjects({a.subject}, stream_lease("first")).size(), 1U);
  EXPECT_TRUE(outbox.claim_subjects({a.subject}, stream_lease("second", kStreamTime + 1000)).empty());  // its lease holds
  outbox.mark_published({a.id}, kStreamTime + 1001);
  EXPECT_TRUE(outbox.claim_subjects({a.subject}, stream_lease("third", kStreamTime + 60'000)).empty());  // published
  EXPECT_TRUE(outbox.claim_subjects({"no-such-subject"}, stream_lease("fourth")).empty());
  EXPECT_TRUE(outbox.claim_subjects({}, stream_lease("fifth")).empty());
}

TEST_F(DynamoDbSubjectClaims, AnEntitysEventsComeOneAtATimeOldestFirst) {
  auto user = make_user();
  const auto created = add_user(user);
  const auto deleted = deleted_event(events::kUserDeleted, user.id);
  ASSERT_TRUE(store().delete_user(user.id, deleted));
  auto& outbox = outbox_view();
  const auto first = outbox.claim_subjects({user.id}, stream_lease("r"));
  ASSERT_EQ(event_ids(first), std::set<std::string>{created.id});
  EXPECT_TRUE(outbox.claim_subjects({user.id}, stream_lease("r2", kStreamTime + 100)).empty());  // the older one is out
  outbox.mark_published({created.id}, kStreamTime + 200);
  EXPECT_EQ(event_ids(outbox.claim_subjects({user.id}, stream_lease("r3", kStreamTime + 300))), std::set<std::string>{deleted.id});
}

}  // namespace
}  // namespace ninja::contract
