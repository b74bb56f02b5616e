// The AWS client against the real moto_server started by tests/servers/with-servers
// (NINJA_TEST_MOTO_URL): DynamoDB and SQS over their JSON protocol, SNS over a form body, and a
// service's refusal (a failed condition, a missing queue) arriving as a typed AwsError.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <future>
#include <random>

#include "aws/aws_client.hpp"
#include "aws/xml_text.hpp"
#include "net/event_loops.hpp"
#include "support/test_servers.hpp"

namespace ninja::aws {
namespace {

template <class T>
struct Answer {
  T value{};
  std::exception_ptr error;
};

class AwsOnMoto : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing_support::server_url("NINJA_TEST_MOTO_URL");
    if (!url_)
      NINJA_SKIP_OR_FAIL_WITHOUT_SERVER("NINJA_TEST_MOTO_URL is not set (run under tests/servers/with-servers)");
    std::random_device random;
    prefix_ = "t" + std::to_string(random()) + "-";
  }

  std::unique_ptr<AwsClient> client(const std::string& service) {
    AwsClientOptions options;
    options.endpoint = service_endpoint(service, "us-east-1", *url_);
    options.credentials = {"AKIDMOTO", "moto-secret", "", "test"};
    options.retry = {2, std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
    return std::make_unique<AwsClient>(http_, std::move(options));
  }

  Answer<boost::json::value> json(AwsClient& client, const std::string& target, const boost::json::value& body) {
    std::promise<Answer<boost::json::value>> promise;
    client.call_json(target, boost::json::serialize(body), [&](boost::json::value value, std::exception_ptr error) {
      promise.set_value({std::move(value), error});
    });
    return promise.get_future().get();
  }

  boost::json::value ok(AwsClient& client, const std::string& target, const boost::json::value& body) {
    auto answer = json(client, target, body);
    if (answer.error) {
      try {
        std::rethrow_exception(answer.error);
      } catch (const std::exception& e) {
        ADD_FAILURE() << target << ": " << e.what();
      }
    }
    return answer.value;
  }

  // The AwsError a call failed with (a failure of the test if it did not fail so).
  std::string error_type(const Answer<boost::json::value>& answer) {
    try {
      if (answer.error) std::rethrow_exception(answer.error);
    } catch (const AwsError& e) {
      EXPECT_FALSE(e.retryable()) << e.what();
      return e.type();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not an AwsError: " << e.what();
    }
    return "";
  }

  std::optional<std::string> url_;
  std::string prefix_;
  net::CurlRuntime runtime_;
  net::EventLoops loops_{1, "moto-test"};
  net::CurlMulti http_{loops_.context(0)};
};

TEST_F(AwsOnMoto, DynamoDbTableItemsAndAFailedCondition) {
  auto dynamodb = client("dynamodb");
  const std::string table = prefix_ + "orders";
  ok(*dynamodb, "DynamoDB_20120810.CreateTable",
     {{"TableName", table},
      {"BillingMode", "PAY_PER_REQUEST"},
      {"AttributeDefinitions", boost::json::array{{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
      {"KeySchema", boost::json::array{{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
  const auto tables = ok(*dynamodb, "DynamoDB_20120810.ListTables", boost::json::object());
  bool listed = false;
  for (const auto& name : tables.at("TableNames").as_array()) listed = listed || name.as_string() == table;
  EXPECT_TRUE(listed) << boost::json::serialize(tables);

  const boost::json::object item{{"id", {{"S", "o-1"}}}, {"total", {{"N", "42"}}}};
  const boost::json::value put{
      {"TableName", table}, {"Item", item}, {"ConditionExpression", "attribute_not_exists(id)"}};
  ok(*dynamodb, "DynamoDB_20120810.PutItem", put);
  const auto got = ok(*dynamodb, "DynamoDB_20120810.GetItem",
                      {{"TableName", table}, {"Key", {{"id", {{"S", "o-1"}}}}}, {"ConsistentRead", true}});
  EXPECT_EQ(got.at("Item").at("total").at("N").as_string(), "42");

  EXPECT_EQ(error_type(json(*dynamodb, "DynamoDB_20120810.PutItem", put)), "ConditionalCheckFailedException");
  EXPECT_EQ(error_type(json(*dynamodb, "DynamoDB_20120810.GetItem",
                            {{"TableName", prefix_ + "missing"}, {"Key", {{"id", {{"S", "x"}}}}}})),
            "ResourceNotFoundException");
}

TEST_F(AwsOnMoto, SqsQueueOverTheJsonProtocol) {
  auto sqs = client("sqs");
  const auto created = ok(*sqs, "AmazonSQS.CreateQueue", {{"QueueName", prefix_ + "notifier"}});
  const std::string queue(created.at("QueueUrl").as_string());
  EXPECT_NE(queue.find(prefix_ + "notifier"), std::string::npos);
  ok(*sqs, "AmazonSQS.SendMessage", {{"QueueUrl", queue}, {"MessageBody", "{\"event\":\"OrderCreated\"}"}});
  const auto received = ok(*sqs, "AmazonSQS.ReceiveMessage", {{"QueueUrl", queue}, {"WaitTimeSeconds", 1}});
  ASSERT_EQ(received.at("Messages").as_array().size(), 1u) << boost::json::serialize(received);
  EXPECT_EQ(received.at("Messages").as_array()[0].at("Body").as_string(), "{\"event\":\"OrderCreated\"}");
  EXPECT_EQ(error_type(json(*sqs, "AmazonSQS.GetQueueUrl", {{"QueueName", prefix_ + "missing"}})), "QueueDoesNotExist");
}

TEST_F(AwsOnMoto, SnsTopicOverAFormBody) {
  auto sns = client("sns");
  std::promise<Answer<std::string>> created;
  sns->call_form("CreateTopic", {{"Name", prefix_ + "events"}}, [&](std::string xml, std::exception_ptr error) {
    created.set_value({std::move(xml), error});
  });
  const auto answer = created.get_future().get();
  ASSERT_FALSE(answer.error);
  const auto arn = xml_element_text(answer.value, "TopicArn");
  ASSERT_TRUE(arn) << answer.value;
  EXPECT_EQ(*arn, "arn:aws:sns:us-east-1:123456789012:" + prefix_ + "events");

  std::promise<std::exception_ptr> missing;
  sns->call_form("GetTopicAttributes", {{"TopicArn", *arn + "-missing"}},
                 [&](std::string, std::exception_ptr error) { missing.set_value(error); });
  try {
    std::rethrow_exception(missing.get_future().get());
  } catch (const AwsError& e) {
    EXPECT_EQ(e.type(), "NotFound");
    EXPECT_EQ(e.status(), 404);
  } catch (...) {
    ADD_FAILURE() << "a missing topic must be an AwsError";
  }
}

}  // namespace
}  // namespace ninja::aws
