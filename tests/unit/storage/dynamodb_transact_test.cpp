#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>
#include <set>
#include <vector>

#include "storage/dynamodb/transact_requests.hpp"

namespace ninja::storage::dynamodb {
namespace {

namespace json = boost::json;

const TableLayout kTransactLayout("test_");

domain::User a_user() {
  domain::User u;
  u.id = "0190-user";
  u.name = "Ada";
  u.email = "Ada@Example.com";
  u.created_at_ms = 1;
  return u;
}

domain::Order an_order() {
  domain::Order o;
  o.id = "0190-order";
  o.user_id = "0190-user";
  o.items = {{"sku-1", 2, 500}};
  o.currency = "EUR";
  o.total = 1000;
  o.created_at_ms = 2;
  return o;
}

const events::Event kEvent{"0190-event", "com.ninja.user.created.v1", "0190-user", 1, "{}"};
const domain::IdempotencyRecord kRecord{"", "retry-1", "fp", "0190-user", "{}", 1, 86400001};

const json::object& operation(const json::object& body, size_t index, std::string_view kind) {
  return body.at("TransactItems").as_array().at(index).as_object().at(kind).as_object();
}

// The condition with its aliases resolved, so the test reads what DynamoDB evaluates.
std::string resolved_condition(const json::object& op) {
  std::string condition(op.at("ConditionExpression").as_string());
  for (const auto& [alias, name] : op.at("ExpressionAttributeNames").as_object()) {
    for (size_t at; (at = condition.find(alias)) != std::string::npos;) {
      condition.replace(at, alias.size(), name.as_string());
    }
  }
  return condition;
}

TEST(DynamoDbTransact, ACreateUserIsOneTransactionOfEntityClaimEventAndRecord) {
  const auto request = create_user_request(kTransactLayout, a_user(), kEvent, kRecord, 5000);
  const auto& items = request.body.at("TransactItems").as_array();
  ASSERT_EQ(items.size(), 4u);
  const auto& user = operation(request.body, request.parts.entity, "Put");
  EXPECT_EQ(user.at("TableName").as_string(), "test_users");
  EXPECT_EQ(resolved_condition(user), "attribute_not_exists(id)");
  ASSERT_TRUE(request.parts.email_claim);
  const auto& claim = operation(request.body, *request.parts.email_claim, "Put");
  EXPECT_EQ(claim.at("TableName").as_string(), "test_users");
  EXPECT_EQ(claim.at("Item").at("id").at("S").as_string(), "email#ada@example.com");
  EXPECT_EQ(resolved_condition(claim), "attribute_not_exists(id)");
  const auto& event = operation(request.body, 2, "Put");
  EXPECT_EQ(event.at("TableName").as_string(), "test_outbox");
  EXPECT_EQ(event.at("Item").at("pending").at("S").as_string(), "1");
  ASSERT_TRUE(request.parts.idempotency);
  const auto& record = operation(request.body, *request.parts.idempotency, "Put");
  EXPECT_EQ(record.at("TableName").as_string(), "test_idempotency");
  EXPECT_EQ(resolved_condition(record), "attribute_not_exists(id) OR expires_at_ms <= :now");
  EXPECT_EQ(record.at("ExpressionAttributeValues").at(":now").at("N").as_string(), "5000");
  EXPECT_EQ(request.body.at("ReturnConsumedCapacity").as_string(), "TOTAL");  // the cost is measured
}

TEST(DynamoDbTransact, WithoutAKeyThereIsNoRecord) {
  const auto request = create_user_request(kTransactLayout, a_user(), kEvent, std::nullopt, 0);
  EXPECT_EQ(request.body.at("TransactItems").as_array().size(), 3u);
  EXPECT_FALSE(request.parts.idempotency);
}

TEST(DynamoDbTransact, ACreateOrderChecksTheUserInTheSameTransaction) {
  const auto request = create_order_request(kTransactLayout, an_order(), kEvent, std::nullopt, 0);
  ASSERT_TRUE(request.parts.user_check);
  EXPECT_FALSE(request.parts.email_claim);
  const auto& check = operation(request.body, *request.parts.user_check, "ConditionCheck");
  EXPECT_EQ(check.at("TableName").as_string(), "test_users");
  EXPECT_EQ(check.at("Key").at("id").at("S").as_string(), "0190-user");
  // kind = user: an email claim's key can never pass for a user.
  EXPECT_EQ(resolved_condition(check), "kind = :user");
  EXPECT_EQ(operation(request.body, request.parts.entity, "Put").at("TableName").as_string(), "test_orders");
}

// The words of an expression that are neither aliases (#name), values (:value), functions nor
// operators: attribute names written bare.
std::vector<std::string> bare_names(std::string_view condition) {
  static const std::set<std::string, std::less<>> kWords = {"attribute_not_exists", "attribute_exists", "AND", "OR",
                                                            "NOT"};
  std::vector<std::string> bare;
  for (size_t i = 0; i < condition.size();) {
    if (!std::isalpha(static_cast<unsigned char>(condition[i])) && condition[i] != '_') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < condition.size() &&
           (std::isalnum(static_cast<unsigned char>(condition[end])) || condition[end] == '_'))
      ++end;
    const bool marked = i > 0 && (condition[i - 1] == '#' || condition[i - 1] == ':');
    const std::string word(condition.substr(i, end - i));
    if (!marked && !kWords.contains(word)) bare.push_back(word);
    i = end;
  }
  return bare;
}

TEST(DynamoDbTransact, EveryAttributeInAnExpressionIsAliased) {
  // DynamoDB reserves words such as NAME, STATUS, KEY and USER: a bare attribute name in an
  // expression may be refused by the real service even where an emulator accepts it.
  EXPECT_EQ(bare_names("attribute_not_exists(id) OR #e <= :now"), std::vector<std::string>{"id"});  // the probe works
  const json::object requests[] = {create_user_request(kTransactLayout, a_user(), kEvent, kRecord, 1).body,
                                   create_order_request(kTransactLayout, an_order(), kEvent, kRecord, 1).body,
                                   delete_user_request(kTransactLayout, "u", "a@b.co", kEvent),
                                   delete_order_request(kTransactLayout, "o", kEvent)};
  size_t conditions = 0;
  for (const auto& request : requests) {
    for (const auto& item : request.at("TransactItems").as_array()) {
      const auto& op = item.as_object().begin()->value().as_object();
      const std::string condition(op.at("ConditionExpression").as_string());
      EXPECT_TRUE(bare_names(condition).empty()) << condition;
      ++conditions;
    }
  }
  EXPECT_EQ(conditions, 4u + 4u + 3u + 2u);  // every write is conditional
}

TEST(DynamoDbTransact, ADeleteRemovesTheUserAndItsClaimOnlyIfTheyStillBelongTogether) {
  const auto body = delete_user_request(kTransactLayout, "0190-user", "Ada@Example.com", kEvent);
  const auto& user = operation(body, 0, "Delete");
  EXPECT_EQ(resolved_condition(user), "kind = :user AND email = :email");
  EXPECT_EQ(user.at("ExpressionAttributeValues").at(":email").at("S").as_string(), "Ada@Example.com");
  const auto& claim = operation(body, 1, "Delete");
  EXPECT_EQ(claim.at("Key").at("id").at("S").as_string(), "email#ada@example.com");
  EXPECT_EQ(resolved_condition(claim), "user_id = :id");
  EXPECT_EQ(operation(body, 2, "Put").at("TableName").as_string(), "test_outbox");
  const auto order = delete_order_request(kTransactLayout, "0190-order", kEvent);
  EXPECT_EQ(resolved_condition(operation(order, 0, "Delete")), "attribute_exists(id)");
}

json::value reasons(std::initializer_list<const char*> codes) {
  json::array list;
  for (const char* code : codes) list.push_back(json::object{{"Code", code}});
  return list;
}

TEST(DynamoDbTransact, CancellationReasonsBecomeTheCreatesAnswer) {
  const auto user =
      create_user_request(kTransactLayout, a_user(), kEvent, kRecord, 1).parts;  // user, claim, event, record
  EXPECT_EQ(create_conflict(reasons({"None", "ConditionalCheckFailed", "None", "None"}), user),
            domain::CreateStatus::email_taken);
  // A live key wins over a taken email: the retry replays the first answer.
  EXPECT_EQ(create_conflict(reasons({"None", "ConditionalCheckFailed", "None", "ConditionalCheckFailed"}), user),
            domain::CreateStatus::idempotency_taken);
  const auto order =
      create_order_request(kTransactLayout, an_order(), kEvent, std::nullopt, 1).parts;  // order, check, event
  EXPECT_EQ(create_conflict(reasons({"None", "ConditionalCheckFailed", "None"}), order),
            domain::CreateStatus::user_missing);
  // Not a conflict of ours: the caller retries or answers 503, never 409/422.
  EXPECT_EQ(create_conflict(reasons({"None", "TransactionConflict", "None"}), order), std::nullopt);
  EXPECT_EQ(create_conflict(reasons({"None", "ConditionalCheckFailed", "ThrottlingError"}), order), std::nullopt);
  EXPECT_EQ(create_conflict(reasons({"ConditionalCheckFailed", "None", "None"}), order), std::nullopt);  // repeated id
  EXPECT_EQ(create_conflict(json::value("garbage"), order), std::nullopt);
  EXPECT_EQ(create_conflict(reasons({"None"}), order), std::nullopt);  // too short: nothing is assumed
}

}  // namespace
}  // namespace ninja::storage::dynamodb
