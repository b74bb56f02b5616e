#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "storage/dynamodb/claim_candidates.hpp"

namespace ninja::storage::dynamodb {
namespace {

namespace json = boost::json;

const util::Lease kLease{"relay-a", 1000, 6000};

json::object item(const std::string& subject, const std::string& id, std::optional<std::string> owner = std::nullopt,
                  int64_t until = 0) {
  json::object o{{"subject", {{"S", subject}}}, {"id", {{"S", id}}}, {"pending", {{"S", "1"}}}};
  if (owner) {
    o["lease_owner"] = {{"S", *owner}};
    o["lease_until"] = {{"N", std::to_string(until)}};
  }
  return o;
}

TEST(DynamoDbClaimCandidates, AnEventIsFreeWithoutALiveLeaseOfAnother) {
  EXPECT_TRUE(free_for(item("s", "e"), kLease));
  EXPECT_TRUE(free_for(item("s", "e", "relay-b", 1000), kLease));   // ended at now
  EXPECT_FALSE(free_for(item("s", "e", "relay-b", 1001), kLease));  // still live
  EXPECT_TRUE(free_for(item("s", "e", "relay-a", 9000), kLease));   // our own: a retry
}

TEST(DynamoDbClaimCandidates, EachSubjectOnceOldestFirstUpToTheLimit) {
  const json::array index{item("a", "1"), item("b", "2"), item("a", "3"), item("c", "4"), item("d", "5")};
  std::set<std::string> seen;
  EXPECT_EQ(candidate_subjects(index, kLease, 3, seen), (std::vector<std::string>{"a", "b", "c"}));
  // The next page of the same claim adds only subjects not looked at yet.
  const json::array next{item("c", "6"), item("e", "7")};
  EXPECT_EQ(candidate_subjects(next, kLease, 5, seen), (std::vector<std::string>{"e"}));
}

TEST(DynamoDbClaimCandidates, ASubjectWhoseOldestIsHeldElsewhereWaits) {
  const json::array index{item("a", "1", "relay-b", 9000), item("a", "2"), item("b", "3")};
  std::set<std::string> seen;
  EXPECT_EQ(candidate_subjects(index, kLease, 10, seen), std::vector<std::string>{"b"});
  EXPECT_TRUE(seen.count("a"));  // looked at, and not taken: its second event must not go first
}

TEST(DynamoDbClaimCandidates, TheSubjectsOwnOldestPendingEventIsTheOneLeased) {
  // The index may have shown a later event first; the consistent read of the partition decides.
  const json::array partition{item("a", "1"), item("a", "2")};
  const auto chosen = claimable(partition, kLease);
  ASSERT_TRUE(chosen.has_value());
  EXPECT_EQ(chosen->at("id").at("S").as_string(), "1");
  EXPECT_FALSE(claimable(json::array{item("a", "1", "relay-b", 9000), item("a", "2")}, kLease).has_value());
  EXPECT_FALSE(claimable(json::array{}, kLease).has_value());
}

}  // namespace
}  // namespace ninja::storage::dynamodb
