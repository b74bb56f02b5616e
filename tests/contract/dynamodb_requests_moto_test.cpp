// The DynamoDB backend's request bodies against the real moto_server (NINJA_TEST_MOTO_URL, from
// tests/servers/with-servers): the tables of the layout are created as migrate will create them,
// and each create, delete, page and claim does on the service what its builder promises —
// conflicts come back as the CancellationReasons create_conflict reads.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <future>
#include <random>

#include "aws/aws_client.hpp"
#include "net/event_loops.hpp"
#include "storage/dynamodb/outbox_requests.hpp"
#include "storage/dynamodb/read_requests.hpp"
#include "storage/dynamodb/table_definitions.hpp"
#include "storage/dynamodb/transact_requests.hpp"
#include "support/test_servers.hpp"

namespace ninja::storage::dynamodb {
namespace {

namespace json = boost::json;

struct Outcome {
  json::value answer;
  std::string error_type;  // the AwsError's type, "" on success
  std::string error_body;
};

class DynamoDbRequestsOnMoto : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto url = testing_support::server_url("NINJA_TEST_MOTO_URL");
    if (!url)
      NINJA_SKIP_OR_FAIL_WITHOUT_SERVER("NINJA_TEST_MOTO_URL is not set (run under tests/servers/with-servers)");
    aws::AwsClientOptions options;
    options.endpoint = aws::service_endpoint("dynamodb", "us-east-1", *url);
    options.credentials = {"AKIDMOTO", "moto-secret", "", "test"};
    options.retry = {2, std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
    client_ = std::make_unique<aws::AwsClient>(http_, std::move(options));
    std::random_device random;
    layout_ = std::make_unique<TableLayout>("t" + std::to_string(random()) + "_");
    for (const auto& table : table_definitions(*layout_)) {
      ASSERT_EQ(call("CreateTable", table.create).error_type, "") << table.name;
      if (table.ttl) {
        ASSERT_EQ(call("UpdateTimeToLive", *table.ttl).error_type, "") << table.name;
      }
    }
  }
  void TearDown() override { client_.reset(); }

  Outcome call(const std::string& operation, const json::object& body) {
    std::promise<Outcome> promise;
    client_->call_json("DynamoDB_20120810." + operation, json::serialize(body),
                       [&](json::value value, std::exception_ptr error) {
                         Outcome outcome{std::move(value), "", ""};
                         try {
                           if (error) std::rethrow_exception(error);
                         } catch (const aws::AwsError& e) {
                           outcome.error_type = e.type();
                           outcome.error_body = e.body();
                         } catch (const std::exception& e) {
                           outcome.error_type = std::string("not an AwsError: ") + e.what();
                         }
                         promise.set_value(std::move(outcome));
                       });
    return promise.get_future().get();
  }

  // What a create's transaction answered, as the store will read it.
  std::optional<domain::CreateStatus> create(const TransactRequest& request) {
    const auto outcome = call("TransactWriteItems", request.body);
    if (outcome.error_type.empty()) return domain::CreateStatus::created;
    EXPECT_EQ(outcome.error_type, "TransactionCanceledException") << outcome.error_body;
    const auto body = json::parse(outcome.error_body).as_object();
    const auto* reasons = body.if_contains("CancellationReasons");
    return create_conflict(reasons ? *reasons : json::value(), request.parts);
  }

  static domain::User user(const std::string& id, const std::string& email) {
    domain::User u;
    u.id = id;
    u.name = "Ada";
    u.email = email;
    u.created_at_ms = 1;
    return u;
  }
  static domain::Order order(const std::string& id, const std::string& user_id) {
    domain::Order o;
    o.id = id;
    o.user_id = user_id;
    o.items = {{"sku", 2, 500}};
    o.currency = "EUR";
    o.total = 1000;
    o.created_at_ms = 2;
    return o;
  }
  static events::Event event(const std::string& id, const std::string& subject) {
    return {id, "com.ninja.test.v1", subject, 1, "{}"};
  }

  net::CurlRuntime runtime_;
  net::EventLoops loops_{1, "ddb-moto-test"};
  net::CurlMulti http_{loops_.context(0)};
  std::unique_ptr<aws::AwsClient> client_;
  std::unique_ptr<TableLayout> layout_;
};

TEST_F(DynamoDbRequestsOnMoto, CreatesAndTheirConflicts) {
  const auto& l = *layout_;
  const domain::IdempotencyRecord key{"", "k1", "fp", "u1", "{}", 1, 100000};
  EXPECT_EQ(create(create_user_request(l, user("u1", "Ada@Example.com"), event("e1", "u1"), key, 10)),
            domain::CreateStatus::created);
  // Another user, the same address in other case: the claim is taken.
  EXPECT_EQ(create(create_user_request(l, user("u2", "ada@example.COM"), event("e2", "u2"), std::nullopt, 10)),
            domain::CreateStatus::email_taken);
  // The same key again, live: a replay, whatever else failed with it.
  EXPECT_EQ(create(create_user_request(l, user("u3", "ada@example.com"), event("e3", "u3"), key, 10)),
            domain::CreateStatus::idempotency_taken);
  // The same key once expired: it is taken over.
  EXPECT_EQ(create(create_user_request(l, user("u4", "bea@example.com"), event("e4", "u4"), key, 200000)),
            domain::CreateStatus::created);
  EXPECT_EQ(create(create_order_request(l, order("o1", "u1"), event("e5", "o1"), std::nullopt, 10)),
            domain::CreateStatus::created);
  EXPECT_EQ(create(create_order_request(l, order("o2", "nobody"), event("e6", "o2"), std::nullopt, 10)),
            domain::CreateStatus::user_missing);
  // An email claim's key is no user to order for.
  EXPECT_EQ(create(create_order_request(l, order("o3", "email#ada@example.com"), event("e7", "o3"), std::nullopt, 10)),
            domain::CreateStatus::user_missing);
  // A failed transaction wrote nothing: the orders table has o1 only.
  const auto page =
      orders_page(call("Query", list_orders_request(l, {10, std::nullopt}, std::nullopt)).answer.as_object(), 10);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, "o1");
}

TEST_F(DynamoDbRequestsOnMoto, DeletesAndPages) {
  const auto& l = *layout_;
  for (const char* id : {"u1", "u2", "u3"}) {
    ASSERT_EQ(create(create_user_request(l, user(id, std::string(id) + "@example.com"),
                                         event(std::string("c") + id, id), std::nullopt, 1)),
              domain::CreateStatus::created);
  }
  // Newest first (ids sort by time), one page of two with more behind it, then the rest.
  const auto first = users_page(call("Query", list_users_request(l, {2, std::nullopt})).answer.as_object(), 2);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].id, "u3");
  EXPECT_EQ(first.items[1].id, "u2");
  EXPECT_TRUE(first.has_more);
  const auto rest = users_page(call("Query", list_users_request(l, {2, std::string("u2")})).answer.as_object(), 2);
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].id, "u1");
  EXPECT_FALSE(rest.has_more);
  // A delete with the wrong email (a concurrent change) fails and keeps everything.
  EXPECT_EQ(call("TransactWriteItems", delete_user_request(l, "u1", "other@example.com", event("d0", "u1"))).error_type,
            "TransactionCanceledException");
  EXPECT_EQ(call("TransactWriteItems", delete_user_request(l, "u1", "u1@example.com", event("d1", "u1"))).error_type,
            "");
  EXPECT_FALSE(item_of(call("GetItem", get_item_request(l.users, "id", "u1")).answer.as_object()));
  // The address is free again.
  EXPECT_EQ(create(create_user_request(l, user("u9", "U1@example.com"), event("c9", "u9"), std::nullopt, 1)),
            domain::CreateStatus::created);
  EXPECT_EQ(call("TransactWriteItems", delete_order_request(l, "nope", event("d2", "nope"))).error_type,
            "TransactionCanceledException");
}

TEST_F(DynamoDbRequestsOnMoto, ClaimsLeaseOnceAndPublishedEventsLeaveTheIndex) {
  const auto& l = *layout_;
  ASSERT_EQ(create(create_user_request(l, user("u1", "a@example.com"), event("e1", "u1"), std::nullopt, 1)),
            domain::CreateStatus::created);
  ASSERT_EQ(call("TransactWriteItems", delete_user_request(l, "u1", "a@example.com", event("e2", "u1"))).error_type,
            "");
  const auto pending = call("Query", unpublished_query(l, 10)).answer.at("Items").as_array();
  ASSERT_EQ(pending.size(), 2u);
  const auto oldest = call("Query", oldest_pending_of_subject_query(l, "u1")).answer.at("Items").as_array();
  ASSERT_FALSE(oldest.empty());
  EXPECT_EQ(oldest[0].at("id").at("S").as_string(), "e1");  // per-subject order: e1 before e2
  EXPECT_EQ(call("UpdateItem", claim_update(l, "u1", "e1", {"relay-a", 1000, 11000})).error_type, "");
  EXPECT_EQ(call("UpdateItem", claim_update(l, "u1", "e1", {"relay-b", 2000, 12000})).error_type,
            "ConditionalCheckFailedException");                                                          // a live lease
  EXPECT_EQ(call("UpdateItem", claim_update(l, "u1", "e1", {"relay-b", 11000, 21000})).error_type, "");  // expired
  EXPECT_EQ(call("UpdateItem", mark_published_update(l, Expiry{}, "u1", "e1", 11500)).error_type, "");
  EXPECT_EQ(call("UpdateItem", claim_update(l, "u1", "e1", {"relay-c", 30000, 40000})).error_type,
            "ConditionalCheckFailedException");  // published: never leased again
  const auto left = call("Query", unpublished_query(l, 10)).answer.at("Items").as_array();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("id").at("S").as_string(), "e2");
  EXPECT_EQ(call("UpdateItem", mark_published_update(l, Expiry{}, "u1", "gone", 1)).error_type,
            "ConditionalCheckFailedException");
}

}  // namespace
}  // namespace ninja::storage::dynamodb
