// The small pieces of the AWS protocols: endpoints, form bodies, XML answers, error decoding and
// the backoff's bounds.
#include <gtest/gtest.h>

#include <set>

#include "aws/aws_error.hpp"
#include "aws/form_body.hpp"
#include "aws/retry_backoff.hpp"
#include "aws/service_endpoint.hpp"
#include "aws/xml_text.hpp"

namespace ninja::aws {
namespace {

using namespace std::chrono_literals;

TEST(ServiceEndpoint, ThePublicEndpointOfTheRegion) {
  const auto endpoint = service_endpoint("dynamodb", "eu-west-1");
  EXPECT_EQ(endpoint.url, "https://dynamodb.eu-west-1.amazonaws.com/");
  EXPECT_EQ(endpoint.host, "dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(endpoint.service, "dynamodb");
  EXPECT_EQ(endpoint.region, "eu-west-1");
}

TEST(ServiceEndpoint, AnOverrideKeepsItsAddressAndGetsAPath) {
  EXPECT_EQ(service_endpoint("sqs", "us-east-1", "http://127.0.0.1:5000").url, "http://127.0.0.1:5000/");
  EXPECT_EQ(service_endpoint("sqs", "us-east-1", "http://127.0.0.1:5000").host, "127.0.0.1:5000");
  EXPECT_EQ(service_endpoint("sns", "us-east-1", "https://sns.example/aws/").url, "https://sns.example/aws/");
  for (const char* bad : {"127.0.0.1:5000", "ftp://host/", "http://user:pw@host/", "http://host/?Action=x",
                          "http://host/#f", "not a url", "http:///path"}) {
    EXPECT_THROW(service_endpoint("sns", "us-east-1", std::string(bad)), std::invalid_argument) << bad;
  }
  try {
    service_endpoint("sns", "us-east-1", std::string("http://AKID:secret@host/"));
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("may not carry a user or password"), std::string::npos);
  }
}

TEST(FormBody, EncodesEveryByteButTheUnreservedOnes) {
  EXPECT_EQ(form_body({{"Action", "Publish"}, {"Message", "a b&c=d/é~_.-"}, {"Attr.1", "+"}}),
            "Action=Publish&Message=a%20b%26c%3Dd%2F%C3%A9~_.-&Attr.1=%2B");
  EXPECT_EQ(form_body({}), "");
}

TEST(XmlText, ReadsTheFirstElementAndDecodesEntities) {
  const std::string xml =
      "<R><TopicArn>arn:aws:sns:us-east-1:1:t</TopicArn><Message>a &lt;b&gt; &amp; &quot;c&quot; &#233; &#x41;"
      "</Message><Message>second</Message><Bad>&bogus; &#xZZ;</Bad></R>";
  EXPECT_EQ(xml_element_text(xml, "TopicArn"), "arn:aws:sns:us-east-1:1:t");
  EXPECT_EQ(xml_element_text(xml, "Message"), "a <b> & \"c\" \xC3\xA9 A");
  EXPECT_EQ(xml_element_text(xml, "Bad"), "&bogus; &#xZZ;");
  EXPECT_EQ(xml_element_text(xml, "Missing"), std::nullopt);
  EXPECT_EQ(xml_element_text("<Code>unterminated", "Code"), std::nullopt);
}

net::HttpExchange answer(long status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  net::HttpExchange exchange;
  exchange.status = status;
  exchange.body = std::move(body);
  exchange.headers = std::move(headers);
  return exchange;
}

TEST(AwsErrorFrom, JsonTypesLoseTheirNamespaceAndKeepTheirMessage) {
  const auto error = error_from(answer(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"})"),
                                Protocol::json, "sqs", "GetQueueUrl");
  EXPECT_EQ(error.type(), "QueueDoesNotExist");
  EXPECT_EQ(error.message(), "gone");
  EXPECT_FALSE(error.retryable());

  const auto capitalised = error_from(answer(400, R"({"__type":"X#ThrottlingException","Message":"slow"})"),
                                      Protocol::json, "dynamodb", "Query");
  EXPECT_EQ(capitalised.message(), "slow");
  EXPECT_TRUE(capitalised.retryable());
}

TEST(AwsErrorFrom, TheHeaderOrTheStatusWhenTheBodySaysNothing) {
  const auto from_header =
      error_from(answer(400, "", {{"x-amzn-errortype", "ResourceNotFoundException:http://internal.amazon.com/coral/"}}),
                 Protocol::json, "dynamodb", "GetItem");
  EXPECT_EQ(from_header.type(), "ResourceNotFoundException");
  const auto bare = error_from(answer(503, "<html>busy</html>"), Protocol::json, "dynamodb", "GetItem");
  EXPECT_EQ(bare.type(), "HTTP 503");
  EXPECT_TRUE(bare.retryable());
  EXPECT_TRUE(error_from(answer(429, ""), Protocol::query, "sns", "Publish").retryable());
  EXPECT_FALSE(error_from(answer(404, ""), Protocol::query, "sns", "Publish").retryable());
}

TEST(AwsErrorFrom, AHostileMessageBecomesOneBoundedLine) {
  const std::string message(5000, 'x');
  const auto error =
      error_from(answer(400, "<Error><Code>Bad\nCode</Code><Message>line1\r\nline2" + message + "</Message></Error>"),
                 Protocol::query, "sns", "Publish");
  EXPECT_EQ(error.type(), "Bad Code");
  EXPECT_EQ(error.message().find('\n'), std::string::npos);
  EXPECT_LT(error.message().size(), 400u);
}

TEST(AwsErrorFrom, NoAnswerIsARetryableTransportError) {
  net::HttpExchange exchange;
  exchange.code = CURLE_COULDNT_CONNECT;
  exchange.error = "Failed to connect";
  const auto error = error_from(exchange, Protocol::json, "dynamodb", "GetItem");
  EXPECT_EQ(error.type(), "transport");
  EXPECT_EQ(error.message(), "Failed to connect");
  EXPECT_EQ(error.status(), 0);
  EXPECT_TRUE(error.retryable());
}

TEST(IsThrottling, TheDocumentedTypesOnly) {
  for (const char* type : {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                           "Throttling", "TooManyRequestsException"}) {
    EXPECT_TRUE(is_throttling(type)) << type;
  }
  for (const char* type :
       {"ConditionalCheckFailedException", "TransactionCanceledException", "ValidationException", "throttling", ""}) {
    EXPECT_FALSE(is_throttling(type)) << type;
  }
}

TEST(RetryBackoff, DoublesFromTheBaseUpToTheCap) {
  const RetryBackoff backoff(25ms, 1000ms, 1);
  EXPECT_EQ(backoff.ceiling(1), 25ms);
  EXPECT_EQ(backoff.ceiling(2), 50ms);
  EXPECT_EQ(backoff.ceiling(3), 100ms);
  EXPECT_EQ(backoff.ceiling(6), 800ms);
  EXPECT_EQ(backoff.ceiling(7), 1000ms);
  EXPECT_EQ(backoff.ceiling(1000), 1000ms);  // no overflow however long it goes on
}

TEST(RetryBackoff, FullJitterStaysWithinTheCeilingAndSpreads) {
  RetryBackoff backoff(10ms, 80ms, 7);
  for (int retry = 1; retry <= 8; ++retry) {
    std::set<int64_t> seen;
    for (int i = 0; i < 200; ++i) {
      const auto delay = backoff.delay(retry);
      ASSERT_GE(delay, 0ms);
      ASSERT_LE(delay, backoff.ceiling(retry));
      seen.insert(delay.count());
    }
    EXPECT_GT(seen.size(), 5u) << "retry " << retry << ": the delays must be spread, not fixed";
    EXPECT_TRUE(seen.count(0) > 0 || *seen.begin() < backoff.ceiling(retry).count() / 4) << "full jitter reaches 0";
  }
}

}  // namespace
}  // namespace ninja::aws
