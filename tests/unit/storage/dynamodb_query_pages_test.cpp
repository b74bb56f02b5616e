#include <gtest/gtest.h>

#include "storage/dynamodb/cancellation.hpp"
#include "storage/dynamodb/dynamodb_store.hpp"
#include "storage/dynamodb/query_pages.hpp"

namespace ninja::storage::dynamodb {
namespace {

namespace json = boost::json;

const json::object kRequest{{"TableName", "p_users"}, {"Limit", 21}};
const json::object kLastKey{{"id", {{"S", "u9"}}}, {"kind", {{"S", "user"}}}};

TEST(DynamoDbQueryPages, AShortAnswerWithALastKeyContinuesFromIt) {
  // DynamoDB stopped at 1 MB after 5 of the 21 wanted items.
  const auto next = next_query(kRequest, {{"LastEvaluatedKey", kLastKey}}, 5, 21);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->at("ExclusiveStartKey").as_object(), kLastKey);
  EXPECT_EQ(next->at("Limit").as_int64(), 16);
  EXPECT_EQ(next->at("TableName").as_string(), "p_users");
}

TEST(DynamoDbQueryPages, EnoughItemsEndTheQueryWhateverTheKeySays) {
  EXPECT_FALSE(next_query(kRequest, {{"LastEvaluatedKey", kLastKey}}, 21, 21).has_value());  // AWS: a key anyway
}

TEST(DynamoDbQueryPages, NoLastKeyMeansNothingFollows) {
  EXPECT_FALSE(next_query(kRequest, json::object{}, 3, 21).has_value());  // moto, exactly full or short
  EXPECT_FALSE(next_query(kRequest, {{"LastEvaluatedKey", json::object{}}}, 3, 21).has_value());
}

std::exception_ptr cancelled_with(const std::string& body) {
  return std::make_exception_ptr(
      aws::AwsError("dynamodb", "TransactWriteItems", "TransactionCanceledException", "cancelled", 400, false, body));
}

TEST(DynamoDbCancellation, ReasonsComeFromACancelledTransactionOnly) {
  const auto reasons = cancellation_reasons(
      cancelled_with(R"({"CancellationReasons":[{"Code":"None"},{"Code":"TransactionConflict"}]})"));
  ASSERT_TRUE(reasons.has_value());
  EXPECT_TRUE(any_reason(*reasons, "TransactionConflict"));
  EXPECT_FALSE(any_reason(*reasons, "ConditionalCheckFailed"));
  EXPECT_TRUE(reason_at(*reasons, 1, "TransactionConflict"));
  EXPECT_FALSE(reason_at(*reasons, 0, "TransactionConflict"));
  EXPECT_FALSE(reason_at(*reasons, 7, "None"));
  EXPECT_FALSE(cancellation_reasons(cancelled_with("not json")).has_value());
  EXPECT_FALSE(cancellation_reasons(cancelled_with("{}")).has_value());
  EXPECT_FALSE(
      cancellation_reasons(std::make_exception_ptr(aws::AwsError(
                               "dynamodb", "PutItem", "ConditionalCheckFailedException", "", 400, false, "{}")))
          .has_value());
  EXPECT_FALSE(cancellation_reasons(std::make_exception_ptr(std::runtime_error("x"))).has_value());
  EXPECT_FALSE(cancellation_reasons(nullptr).has_value());
}

TEST(DynamoDbRequestToken, SameForOneAttemptNewForTheNext) {
  const std::string event = "0190a1b2-0000-7000-8000-000000000001";
  EXPECT_EQ(request_token(event, 0), request_token(event, 0));
  EXPECT_NE(request_token(event, 0), request_token(event, 1));
  EXPECT_NE(request_token(event, 0), request_token("0190a1b2-0000-7000-8000-000000000002", 0));
  EXPECT_EQ(request_token(event, 0).size(), 36U);  // DynamoDB's limit
}

}  // namespace
}  // namespace ninja::storage::dynamodb
