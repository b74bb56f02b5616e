// The DynamoDB backend beyond the shared contract, on the real moto_server (NINJA_TEST_MOTO_URL):
// opening from a store URL as `serve` and `migrate` do (tables created once, on demand capacity,
// TTL on, point-in-time recovery on, every index), refusing a table of another layout, failing clearly when DynamoDB
// cannot be reached, and pages that DynamoDB cuts at 1 MB.
#include <gtest/gtest.h>

#include <cstdlib>

#include "dynamodb_backend.hpp"
#include "storage/dynamodb/read_requests.hpp"
#include "storage/dynamodb/table_definitions.hpp"
#include "support/blocking_ports.hpp"
#include "support/closed_port.hpp"
#include "util/time.hpp"
#include "util/unavailable.hpp"
#include "util/uuid.hpp"

namespace ninja::contract {
namespace {

namespace json = boost::json;

std::vector<std::string> ids_of(const std::vector<domain::User>& users) {
  std::vector<std::string> ids;
  for (const auto& u : users) ids.push_back(u.id);
  return ids;
}

class DynamoDbStorage : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = DynamoDbBackend::unavailable()) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(*reason);
    clients_ = ddb::moto_clients();  // only once moto is known to be there
  }
  void TearDown() override {
    if (clients_) ddb::delete_tables(prefix_);
  }

  std::string url() const { return "dynamodb://us-east-1?endpoint=" + *ddb::moto_url() + "&prefix=" + prefix_; }

  static domain::User user(util::UuidV7Generator& ids, std::string name = "Ada") {
    domain::User u;
    u.id = ids.next();
    u.name = std::move(name);
    u.email = u.id + "@example.com";
    u.created_at_ms = 1;
    return u;
  }

  const std::string prefix_ = ddb::random_prefix();
  std::unique_ptr<storage::dynamodb::DynamoDbClients> clients_;
};

TEST_F(DynamoDbStorage, OpensFromItsUrlCreatingTheTablesOnceAsMigrateDoes) {
  // The keys come from the standard chain: here the environment (moto takes any).
  ASSERT_EQ(setenv("AWS_ACCESS_KEY_ID", "AKIDMOTOTEST", 1), 0);
  ASSERT_EQ(setenv("AWS_SECRET_ACCESS_KEY", "moto-test-secret", 1), 0);
  util::UuidV7Generator ids(util::system_millis);
  const auto ada = user(ids);
  {
    auto storage = storage::open_storage({url(), 0, std::chrono::milliseconds(10000), nullptr});
    EXPECT_NE(storage.deliveries, nullptr);
    EXPECT_NE(storage.api_keys, nullptr);
    testing_support::BlockingStore store(*storage.store);
    ASSERT_EQ(store.create_user(ada, {ids.next(), "t", ada.id, 1, "{}"}, nullptr), domain::CreateStatus::created);
  }
  // Opened again (a second `migrate`, a restart): the same tables, the data kept.
  auto storage = storage::open_storage({url(), 0, std::chrono::milliseconds(10000), nullptr});
  testing_support::BlockingStore store(*storage.store);
  EXPECT_TRUE(store.find_user(ada.id).has_value());

  const storage::dynamodb::TableLayout layout(prefix_);
  for (const auto* name :
       {&layout.users, &layout.orders, &layout.idempotency, &layout.outbox, &layout.deliveries, &layout.api_keys}) {
    const auto table = clients_->call_blocking("DescribeTable", {{"TableName", *name}}).at("Table").as_object();
    EXPECT_EQ(table.at("TableStatus").as_string(), "ACTIVE") << *name;
    EXPECT_EQ(table.at("BillingModeSummary").at("BillingMode").as_string(), "PAY_PER_REQUEST") << *name;
  }
  const auto ttl = clients_->call_blocking("DescribeTimeToLive", {{"TableName", layout.idempotency}});
  EXPECT_EQ(ttl.at("TimeToLiveDescription").at("TimeToLiveStatus").as_string(), "ENABLED");
  EXPECT_EQ(ttl.at("TimeToLiveDescription").at("AttributeName").as_string(), "expires_at");
}

// DynamoDB's backup: point-in-time recovery on every table, also on tables an older migrate made.
TEST_F(DynamoDbStorage, OpeningTurnsPointInTimeRecoveryOnForEveryTable) {
  const storage::dynamodb::TableLayout layout(prefix_);
  const auto recovery = [&](const std::string& table) {
    return std::string(clients_->call_blocking("DescribeContinuousBackups", {{"TableName", table}})
                           .at("ContinuousBackupsDescription")
                           .at("PointInTimeRecoveryDescription")
                           .at("PointInTimeRecoveryStatus")
                           .as_string());
  };
  for (const auto& table : storage::dynamodb::table_definitions(layout)) {
    if (table.name != layout.orders) continue;
    clients_->call_blocking("CreateTable", table.create);
    ASSERT_EQ(recovery(table.name), "DISABLED");
  }
  storage::dynamodb::dynamodb_storage(ddb::moto_clients(), prefix_, std::chrono::milliseconds::zero(), nullptr);
  storage::dynamodb::dynamodb_storage(ddb::moto_clients(), prefix_, std::chrono::milliseconds::zero(), nullptr);
  for (const auto* name :
       {&layout.users, &layout.orders, &layout.idempotency, &layout.outbox, &layout.deliveries, &layout.api_keys}) {
    EXPECT_EQ(recovery(*name), "ENABLED") << *name;
  }
}

TEST_F(DynamoDbStorage, ATableOfAnotherLayoutIsRefusedByName) {
  const storage::dynamodb::TableLayout layout(prefix_);
  clients_->call_blocking(
      "CreateTable",
      {{"TableName", layout.users},
       {"BillingMode", "PAY_PER_REQUEST"},
       {"AttributeDefinitions", json::array{json::object{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
       {"KeySchema", json::array{json::object{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
  try {
    storage::dynamodb::dynamodb_storage(ddb::moto_clients(), prefix_, std::chrono::milliseconds::zero(), nullptr);
    FAIL() << "opened a users table without the newest index";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(layout.users + " exists without the index newest"), std::string::npos)
        << e.what();
  }
}

TEST_F(DynamoDbStorage, AnUnreachableEndpointIsUnavailableInOneLine) {
  storage::dynamodb::ClientsOptions options;
  options.endpoint = aws::service_endpoint(
      "dynamodb", "us-east-1", "http://127.0.0.1:" + std::to_string(testing_support::closed_loopback_port()));
  options.credentials = {"AKIDMOTOTEST", "moto-test-secret", "", "test"};
  options.retry = {2, std::chrono::milliseconds(5), std::chrono::milliseconds(10)};
  try {
    storage::dynamodb::dynamodb_storage(std::make_unique<storage::dynamodb::DynamoDbClients>(options), prefix_,
                                        std::chrono::milliseconds::zero(), nullptr);
    FAIL() << "opened a store nobody answers for";
  } catch (const util::Unavailable& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("DescribeTable"), std::string::npos) << what;
    EXPECT_NE(what.find("127.0.0.1"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_EQ(what.find("moto-test-secret"), std::string::npos) << what;
  }
}

// DynamoDB ends an answer at 1 MB with a LastEvaluatedKey, however many items the Limit asked for:
// a page of large items takes several Queries, and still holds exactly what the page should.
TEST_F(DynamoDbStorage, APageCutAtOneMegabyteIsCompletedFromTheLastKey) {
  auto storage =
      storage::dynamodb::dynamodb_storage(ddb::moto_clients(), prefix_, std::chrono::milliseconds::zero(), nullptr);
  testing_support::BlockingStore store(*storage.store);
  util::UuidV7Generator ids(util::system_millis);
  std::vector<std::string> newest_first;
  for (int i = 0; i < 5; ++i) {
    const auto u = user(ids, std::string(300 * 1024, static_cast<char>('a' + i)));  // ~300 KB items
    ASSERT_EQ(store.create_user(u, {ids.next(), "t", u.id, 1, "{}"}, nullptr), domain::CreateStatus::created);
    newest_first.insert(newest_first.begin(), u.id);
  }
  // The service itself does cut: one Query for the whole page gets fewer items and a key.
  const storage::dynamodb::TableLayout layout(prefix_);
  auto raw = storage::dynamodb::list_users_request(layout, {10, std::nullopt});
  const auto answer = clients_->call_blocking("Query", raw);
  ASSERT_LT(answer.at("Items").as_array().size(), 5U);
  ASSERT_TRUE(answer.contains("LastEvaluatedKey"));

  auto page = store.list_users({10, std::nullopt});
  EXPECT_EQ(ids_of(page.items), newest_first);
  EXPECT_FALSE(page.has_more);
  page = store.list_users({4, std::nullopt});
  EXPECT_EQ(ids_of(page.items), std::vector<std::string>(newest_first.begin(), newest_first.begin() + 4));
  EXPECT_TRUE(page.has_more);
  page = store.list_users({3, newest_first[1]});
  EXPECT_EQ(ids_of(page.items), std::vector<std::string>(newest_first.begin() + 2, newest_first.end()));
  EXPECT_FALSE(page.has_more);
}

// A transaction holds at most 100 parts; the relay hands the notifier up to 256 events at once.
TEST_F(DynamoDbStorage, MoreDeliveriesThanATransactionHoldsGoInSeveralWithExactAnswers) {
  auto storage =
      storage::dynamodb::dynamodb_storage(ddb::moto_clients(), prefix_, std::chrono::milliseconds::zero(), nullptr);
  testing_support::BlockingDeliveries deliveries(*storage.deliveries);
  util::UuidV7Generator ids(util::system_millis);
  std::vector<domain::Delivery> batch;
  for (int i = 0; i < 250; ++i) {
    domain::Delivery d;
    d.event_id = ids.next();
    d.channel = "email";
    d.order_id = "o-" + std::to_string(i % 7);
    d.user_id = "u";
    d.payload = "{}";
    d.next_attempt_at_ms = 1000;
    batch.push_back(std::move(d));
  }
  // Some exist already (in the second and third hundred), and one is repeated within the batch.
  ASSERT_EQ(deliveries.add_deliveries({batch[150], batch[249]}, {"intake", 0, 0}), (std::vector<bool>{true, true}));
  batch.push_back(batch[3]);
  const auto inserted = deliveries.add_deliveries(batch, {"intake", 0, 0});
  ASSERT_EQ(inserted.size(), 251U);
  for (size_t i = 0; i < inserted.size(); ++i) {
    EXPECT_EQ(inserted[i], i != 150 && i != 249 && i != 250) << i;
  }
  size_t stored = 0;
  for (int order = 0; order < 7; ++order)
    stored += deliveries.deliveries_for_order("o-" + std::to_string(order)).size();
  EXPECT_EQ(stored, 250U);
  EXPECT_EQ(deliveries.claim_due(300, {"notifier", 1000, 2000}).size(), 250U);
}

}  // namespace
}  // namespace ninja::contract
