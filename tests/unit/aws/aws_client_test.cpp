// AwsClient against a real loopback HTTP server that answers as DynamoDB and SNS do when they
// throttle, fail, refuse a condition or succeed: which answers are retried, how often, how long it
// takes, what the caller gets back, and what the log says.
#include "aws/aws_client.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <sstream>

#include "net/event_loops.hpp"
#include "support/closed_port.hpp"
#include "support/http_receiver.hpp"

namespace ninja::aws {
namespace {

using namespace std::chrono_literals;
using testing_support::HttpReceiver;
using testing_support::ReceivedRequest;
using testing_support::Reply;

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET";
constexpr const char* kToken = "SESSIONTOKENsecretish";

Reply dynamodb_error(int status, const std::string& type, const std::string& message) {
  return Reply{status,
               "application/x-amz-json-1.0",
               R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":")" + message + R"("})",
               {}};
}

Reply sns_error(int status, const std::string& code, const std::string& message) {
  return Reply{status,
               "text/xml",
               "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>" +
                   code + "</Code><Message>" + message + "</Message></Error><RequestId>r</RequestId></ErrorResponse>",
               {}};
}

using testing_support::closed_loopback_port;

template <class T>
struct Result {
  T value{};
  std::exception_ptr error;
  std::string error_text() const {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
};

class AwsClientTest : public ::testing::Test {
 protected:
  net::CurlRuntime runtime;
  net::EventLoops loops{1, "aws-test"};
  net::CurlMulti http{loops.context(0)};
  std::ostringstream log_lines;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("aws", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_lines));

  std::unique_ptr<AwsClient> client_for(const std::string& url, const std::string& service = "dynamodb",
                                        RetryPolicy retry = {4, 5ms, 40ms}, std::string token = "") {
    log->set_level(spdlog::level::debug);
    AwsClientOptions options;
    options.endpoint = service_endpoint(service, "us-east-1", url);
    options.credentials = {"AKIDTEST", kSecret, std::move(token), "test"};
    options.timeout_ms = 2000;
    options.retry = retry;
    options.log = log;
    options.seed = 42;
    return std::make_unique<AwsClient>(http, std::move(options));
  }

  Result<boost::json::value> get_item(AwsClient& client) {
    std::promise<Result<boost::json::value>> promise;
    client.call_json("DynamoDB_20120810.GetItem", R"({"TableName":"t","Key":{"id":{"S":"1"}}})",
                     [&](boost::json::value value, std::exception_ptr error) {
                       promise.set_value({std::move(value), error});
                     });
    return promise.get_future().get();
  }

  Result<std::string> create_topic(AwsClient& client) {
    std::promise<Result<std::string>> promise;
    client.call_form("CreateTopic", {{"Name", "orders events"}}, [&](std::string body, std::exception_ptr error) {
      promise.set_value({std::move(body), error});
    });
    return promise.get_future().get();
  }
};

// A server that fails the first `failures` requests with `failure` and then answers `success`.
HttpReceiver failing_then(int failures, Reply failure, Reply success) {
  auto seen = std::make_shared<std::atomic<int>>(0);
  return HttpReceiver([=](const ReceivedRequest&) { return ++*seen <= failures ? failure : success; });
}

TEST_F(AwsClientTest, ThrottlingIsRetriedUntilTheCallSucceeds) {
  auto receiver = failing_then(2, dynamodb_error(400, "ThrottlingException", "Rate exceeded"),
                               Reply{200, "application/x-amz-json-1.0", R"({"Item":{"id":{"S":"1"}}})", {}});
  auto client = client_for(receiver.url());
  const auto result = get_item(*client);
  ASSERT_FALSE(result.error) << result.error_text();
  EXPECT_EQ(result.value.at("Item").at("id").at("S").as_string(), "1");

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/");  // never a query string
    EXPECT_EQ(request.header("X-Amz-Target"), "DynamoDB_20120810.GetItem");
    EXPECT_EQ(request.header("Content-Type"), "application/x-amz-json-1.0");
    EXPECT_EQ(request.body, R"({"TableName":"t","Key":{"id":{"S":"1"}}})");
    EXPECT_TRUE(request.header("Authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"))
        << request.header("Authorization");
    EXPECT_NE(request.header("Authorization").find("/us-east-1/dynamodb/aws4_request"), std::string::npos);
    EXPECT_EQ(request.header("X-Amz-Security-Token"), "");
  }
  EXPECT_EQ(receiver.connections(), 1) << "retries reuse the kept-alive connection";
  EXPECT_NE(log_lines.str().find("ThrottlingException, attempt 2 of 4"), std::string::npos) << log_lines.str();
}

TEST_F(AwsClientTest, EveryThrottlingTypeIsRetried) {
  for (const char* type : {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                           "Throttling", "TooManyRequestsException"}) {
    auto receiver = failing_then(1, dynamodb_error(400, type, "slow down"), Reply{});
    auto client = client_for(receiver.url());
    const auto result = get_item(*client);
    EXPECT_FALSE(result.error) << type << ": " << result.error_text();
    EXPECT_EQ(receiver.request_count(), 2u) << type;
  }
}

TEST_F(AwsClientTest, AConditionalFailureComesBackAtOnceAsATypedError) {
  HttpReceiver receiver([](const ReceivedRequest&) {
    return dynamodb_error(400, "ConditionalCheckFailedException", "The conditional request failed");
  });
  auto client = client_for(receiver.url());
  const auto result = get_item(*client);
  ASSERT_TRUE(result.error);
  try {
    std::rethrow_exception(result.error);
  } catch (const AwsError& e) {
    EXPECT_EQ(e.type(), "ConditionalCheckFailedException");
    EXPECT_EQ(e.message(), "The conditional request failed");
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.service(), "dynamodb");
    EXPECT_EQ(e.operation(), "GetItem");
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(std::string(e.what()),
              "dynamodb GetItem: ConditionalCheckFailedException (HTTP 400): The conditional request failed");
  }
  EXPECT_EQ(receiver.request_count(), 1u);
}

TEST_F(AwsClientTest, ACancelledTransactionAndAValidationErrorAreNotRetriedAndKeepTheirBody) {
  const std::string cancelled =
      R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"Transaction cancelled",)"
      R"("CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed"}]})";
  for (const auto& [reply, type] :
       {std::pair{Reply{400, "application/x-amz-json-1.0", cancelled, {}}, "TransactionCanceledException"},
        std::pair{dynamodb_error(400, "ValidationException", "bad key"), "ValidationException"}}) {
    HttpReceiver receiver([reply = reply](const ReceivedRequest&) { return reply; });
    auto client = client_for(receiver.url());
    const auto result = get_item(*client);
    try {
      std::rethrow_exception(result.error);
    } catch (const AwsError& e) {
      EXPECT_EQ(e.type(), type);
      EXPECT_EQ(e.body(), reply.body);
    }
    EXPECT_EQ(receiver.request_count(), 1u) << type;
  }
}

TEST_F(AwsClientTest, ServerErrorsUntilTheLastAttemptBecomeUnavailableWithOneWarnLine) {
  HttpReceiver receiver(
      [](const ReceivedRequest&) { return dynamodb_error(500, "InternalServerError", "Internal server error"); });
  auto client = client_for(receiver.url());
  const auto result = get_item(*client);
  ASSERT_TRUE(result.error);
  const std::string expected = "aws: dynamodb GetItem at 127.0.0.1:" + std::to_string(receiver.port()) +
                               " unavailable: InternalServerError (HTTP 500) after 4 attempts: Internal server error";
  try {
    std::rethrow_exception(result.error);
  } catch (const AwsUnavailable& e) {
    EXPECT_EQ(std::string(e.what()), expected);
    EXPECT_EQ(e.type(), "InternalServerError");
  }
  EXPECT_THROW(std::rethrow_exception(result.error), util::Unavailable);
  EXPECT_EQ(receiver.request_count(), 4u);
  const std::string logged = log_lines.str();
  EXPECT_NE(logged.find("[warning] " + expected), std::string::npos) << logged;
  EXPECT_EQ(logged.find(kSecret), std::string::npos);
}

TEST_F(AwsClientTest, AnUnreachableEndpointIsRetriedThenUnavailableWithinTheBackoffBound) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_loopback_port());
  const RetryPolicy retry{5, 20ms, 50ms};
  auto client = client_for(url, "dynamodb", retry);
  const auto began = std::chrono::steady_clock::now();
  const auto result = get_item(*client);
  const auto elapsed = std::chrono::steady_clock::now() - began;
  ASSERT_TRUE(result.error);
  EXPECT_THROW(std::rethrow_exception(result.error), AwsUnavailable);
  const std::string text = result.error_text();
  EXPECT_NE(text.find("unavailable: transport after 5 attempts"), std::string::npos) << text;
  const std::string logged = log_lines.str();
  EXPECT_EQ(std::count(logged.begin(), logged.end(), '\n'), 5) << "4 retries, 1 warning:\n" << logged;
  // Four waits of at most 20, 40, 50, 50 ms: well under a second however the jitter falls.
  EXPECT_LT(elapsed, 1s);
}

TEST_F(AwsClientTest, SnsSpeaksTheQueryProtocolInAFormBody) {
  auto receiver =
      failing_then(1, sns_error(400, "Throttling", "Rate exceeded"),
                   Reply{200,
                         "text/xml",
                         "<CreateTopicResponse><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:1:orders</TopicArn>"
                         "</CreateTopicResult></CreateTopicResponse>",
                         {}});
  auto client = client_for(receiver.url(), "sns");
  const auto result = create_topic(*client);
  ASSERT_FALSE(result.error) << result.error_text();
  EXPECT_NE(result.value.find("<TopicArn>arn:aws:sns:us-east-1:1:orders</TopicArn>"), std::string::npos);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/");
  EXPECT_EQ(requests[1].body, "Action=CreateTopic&Version=2010-03-31&Name=orders%20events");
  EXPECT_EQ(requests[1].header("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(requests[1].header("X-Amz-Target"), "");
  EXPECT_NE(requests[1].header("Authorization").find("/us-east-1/sns/aws4_request"), std::string::npos);
}

TEST_F(AwsClientTest, AnSnsAuthorizationErrorIsNotRetried) {
  HttpReceiver receiver([](const ReceivedRequest&) { return sns_error(403, "AuthorizationError", "not allowed"); });
  auto client = client_for(receiver.url(), "sns");
  const auto result = create_topic(*client);
  try {
    std::rethrow_exception(result.error);
  } catch (const AwsError& e) {
    EXPECT_EQ(e.type(), "AuthorizationError");
    EXPECT_EQ(e.message(), "not allowed");
    EXPECT_EQ(e.status(), 403);
  }
  EXPECT_EQ(receiver.request_count(), 1u);
}

TEST_F(AwsClientTest, ASessionTokenTravelsInItsHeader) {
  HttpReceiver receiver;
  auto client = client_for(receiver.url(), "dynamodb", {}, kToken);
  ASSERT_FALSE(get_item(*client).error);
  const auto request = receiver.requests().at(0);
  EXPECT_EQ(request.header("X-Amz-Security-Token"), kToken);
  EXPECT_NE(request.header("Authorization").find("x-amz-security-token"), std::string::npos)
      << "the token must be signed: " << request.header("Authorization");
}

TEST_F(AwsClientTest, AnAnswerThatIsNotJsonIsAnErrorNotACrash) {
  HttpReceiver receiver([](const ReceivedRequest&) { return Reply{200, "text/html", "<html>proxy</html>", {}}; });
  auto client = client_for(receiver.url());
  const auto result = get_item(*client);
  try {
    std::rethrow_exception(result.error);
  } catch (const AwsError& e) {
    EXPECT_EQ(e.type(), "InvalidResponse");
    EXPECT_FALSE(e.retryable());
  }
}

TEST_F(AwsClientTest, ACallWaitingForItsRetryEndsWhenTheClientGoes) {
  HttpReceiver receiver([](const ReceivedRequest&) { return dynamodb_error(400, "ThrottlingException", "no"); });
  auto client = client_for(receiver.url(), "dynamodb", {5, 10s, 10s});
  std::promise<std::exception_ptr> promise;
  std::atomic<int> calls{0};
  client->call_json("DynamoDB_20120810.GetItem", "{}", [&](boost::json::value, std::exception_ptr error) {
    if (++calls == 1) promise.set_value(error);
  });
  for (int i = 0; i < 200 && receiver.request_count() < 1; ++i) std::this_thread::sleep_for(5ms);
  std::this_thread::sleep_for(20ms);  // the answer is in, the retry's timer is waiting
  const auto began = std::chrono::steady_clock::now();
  client.reset();
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(2s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
  EXPECT_THROW(std::rethrow_exception(future.get()), util::Unavailable);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(receiver.request_count(), 1u);
}

}  // namespace
}  // namespace ninja::aws
