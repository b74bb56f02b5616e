#include <gtest/gtest.h>

#include "storage/dynamodb/transact_requests.hpp"
#include "storage/dynamodb/write_limits.hpp"

namespace ninja::storage::dynamodb {
namespace {

const TableLayout kLimitsLayout("p_");

domain::User user(std::string id, std::string name = "Ada") {
  domain::User u;
  u.id = std::move(id);
  u.name = std::move(name);
  u.email = "ada@example.com";
  u.created_at_ms = 1;
  return u;
}

events::Event event(const std::string& subject, std::string payload = "{}") {
  return {"0190a1b2-0000-7000-8000-000000000001", "com.ninja.user.created.v1", subject, 1, std::move(payload)};
}

TEST(DynamoDbWriteLimits, AnOrdinaryCreateFits) {
  const auto request = create_user_request(kLimitsLayout, user("u1"), event("u1"), std::nullopt, 1);
  EXPECT_EQ(limit_violation(kLimitsLayout, request.body), std::nullopt);
}

TEST(DynamoDbWriteLimits, AnItemOver400KbIsRefusedBeforeTheCall) {
  const auto fits =
      create_user_request(kLimitsLayout, user("u1", std::string(390 * 1024, 'x')), event("u1"), std::nullopt, 1);
  EXPECT_EQ(limit_violation(kLimitsLayout, fits.body), std::nullopt);
  const auto big =
      create_user_request(kLimitsLayout, user("u1", std::string(401 * 1024, 'x')), event("u1"), std::nullopt, 1);
  const auto violation = limit_violation(kLimitsLayout, big.body);
  ASSERT_TRUE(violation.has_value());
  EXPECT_NE(violation->find("p_users"), std::string::npos) << *violation;
  // The outbox event carries the entity's JSON: it counts as an item of its own.
  const auto big_event =
      create_user_request(kLimitsLayout, user("u1"), event("u1", std::string(401 * 1024, 'x')), std::nullopt, 1);
  EXPECT_NE(limit_violation(kLimitsLayout, big_event.body).value_or("").find("p_outbox"), std::string::npos);
}

TEST(DynamoDbWriteLimits, KeysOverTheirLimitsAreRefused) {
  // An indexed user's id is the sort key of the `newest` index: 1024 bytes at most.
  EXPECT_EQ(limit_violation(
                kLimitsLayout,
                create_user_request(kLimitsLayout, user(std::string(1024, 'i')), event("s"), std::nullopt, 1).body),
            std::nullopt);
  EXPECT_TRUE(limit_violation(
                  kLimitsLayout,
                  create_user_request(kLimitsLayout, user(std::string(1025, 'i')), event("s"), std::nullopt, 1).body)
                  .has_value());
  // An outbox subject is a partition key (2048), its id a sort key (1024).
  EXPECT_TRUE(limit_violation(
                  kLimitsLayout,
                  create_user_request(kLimitsLayout, user("u1"), event(std::string(2049, 's')), std::nullopt, 1).body)
                  .has_value());
  // An idempotency key is a partition key alone: 2048.
  const domain::IdempotencyRecord record{"scope", std::string(2100, 'k'), "fp", "u1", "{}", 1, 2};
  EXPECT_TRUE(
      limit_violation(kLimitsLayout, create_user_request(kLimitsLayout, user("u1"), event("u1"), record, 1).body)
          .value_or("")
          .find("p_idempotency") != std::string::npos);
}

TEST(DynamoDbWriteLimits, EmptyKeysAreRefused) {
  const auto violation =
      limit_violation(kLimitsLayout, create_user_request(kLimitsLayout, user(""), event("s"), std::nullopt, 1).body);
  ASSERT_TRUE(violation.has_value());
  EXPECT_NE(violation->find("empty"), std::string::npos) << *violation;
}

TEST(DynamoDbWriteLimits, DeletesAreCheckedByTheirKeys) {
  EXPECT_EQ(limit_violation(kLimitsLayout, delete_order_request(kLimitsLayout, "o1", event("o1"))), std::nullopt);
  EXPECT_TRUE(limit_violation(kLimitsLayout, delete_order_request(kLimitsLayout, std::string(1025, 'o'), event("o1")))
                  .has_value());
}

}  // namespace
}  // namespace ninja::storage::dynamodb
