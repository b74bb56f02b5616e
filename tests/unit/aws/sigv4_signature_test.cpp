// The signature libcurl puts on our requests, checked by someone else: moto accepts any signature,
// so without this nothing would notice a request AWS itself refuses. Each request is sent through
// the real client to a loopback receiver; botocore (sigv4_verify.py, on the image's python3)
// recomputes the Authorization header from what arrived. One of AWS's published SigV4 test vectors
// checks the same path without python.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "aws/aws_client.hpp"
#include "aws/signed_request.hpp"
#include "net/event_loops.hpp"
#include "support/http_receiver.hpp"
#include "support/temp_dir.hpp"
#include "support/test_servers.hpp"

namespace ninja::aws {
namespace {

using testing_support::HttpReceiver;
using testing_support::ReceivedRequest;

constexpr const char* kExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kExampleToken =
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+token/with=odd+characters";

// sigv4_verify.py beside this file's source: found from the test binary (build dirs sit in the
// checkout, build/tests/unit_tests) or named by NINJA_SIGV4_VERIFIER.
std::filesystem::path verifier() {
  if (const char* configured = std::getenv("NINJA_SIGV4_VERIFIER")) return configured;
  auto dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  for (int up = 0; up < 4; ++up, dir = dir.parent_path()) {
    const auto candidate = dir / "tests" / "unit" / "aws" / "sigv4_verify.py";
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return {};
}

std::string python() {
  const char* configured = std::getenv("NINJA_PYTHON");
  return configured != nullptr ? configured : "python3";
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

class SigV4Signature : public ::testing::Test {
 protected:
  void SetUp() override {
    script_ = verifier();
    if (script_.empty()) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER("sigv4_verify.py not found from the test binary");
    const std::string probe = python() + " -c 'import botocore' >/dev/null 2>&1";
    if (std::system(probe.c_str()) != 0) {
      NINJA_SKIP_OR_FAIL_WITHOUT_SERVER("python3 with botocore is not available (pip install botocore)");
    }
  }

  // What botocore says the Authorization header of `request` must be.
  boost::json::object botocore(const ReceivedRequest& request, const std::string& token, const std::string& service) {
    boost::json::array headers;
    for (const auto& [name, value] : request.headers) headers.push_back(boost::json::array{name, value});
    const boost::json::object input{
        {"method", request.method}, {"path", request.target},      {"headers", headers},
        {"body", request.body},     {"access_key", "AKIDEXAMPLE"}, {"secret_key", kExampleSecret},
        {"token", token},           {"region", "eu-central-1"},    {"service", service}};
    const auto in = dir_.path() / "captured.json";
    const auto out = dir_.path() / "botocore.json";
    const auto err = dir_.path() / "botocore.err";
    std::ofstream(in) << boost::json::serialize(input);
    const std::string command =
        python() + " " + script_.string() + " < " + in.string() + " > " + out.string() + " 2> " + err.string();
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n" << read_all(err);
    return boost::json::parse(read_all(out)).as_object();
  }

  // Sends one call through a real AwsClient and returns the request as it arrived.
  ReceivedRequest capture(const std::string& service, const std::string& token,
                          const std::function<void(AwsClient&, std::function<void()>)>& call) {
    net::CurlRuntime runtime;
    net::EventLoops loops(1, "sigv4-test");
    net::CurlMulti http(loops.context(0));
    AwsClientOptions options;
    options.endpoint = service_endpoint(service, "eu-central-1", receiver_.url());
    options.credentials = {"AKIDEXAMPLE", kExampleSecret, token, "test"};
    AwsClient client(http, options);
    std::promise<void> done;
    call(client, [&] { done.set_value(); });
    if (done.get_future().wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      throw std::runtime_error("the call did not complete");
    }
    const auto arrived = receiver_.requests();
    if (arrived.empty()) throw std::runtime_error("no request arrived");
    return arrived.back();
  }

  ReceivedRequest json_call(const std::string& service, const std::string& target, const std::string& token,
                            const std::string& body = R"({"TableName":"orders","Key":{"id":{"S":"o-1 ü"}}})") {
    return capture(service, token, [&](AwsClient& client, std::function<void()> finished) {
      client.call_json(target, body, [finished](boost::json::value, std::exception_ptr) { finished(); });
    });
  }

  ReceivedRequest form_call(const std::string& token) {
    return capture("sns", token, [&](AwsClient& client, std::function<void()> finished) {
      client.call_form("Publish", {{"TopicArn", "arn:aws:sns:eu-central-1:123:t"}, {"Message", "{\"a\": \"b c\"}"}},
                       [finished](std::string, std::exception_ptr) { finished(); });
    });
  }

  void expect_verified(const ReceivedRequest& request, const std::string& token, const std::string& service,
                       std::vector<std::string> must_sign) {
    const auto sent = request.header("Authorization");
    ASSERT_FALSE(sent.empty());
    const auto expected = botocore(request, token, service);
    EXPECT_EQ(sent, std::string(expected.at("authorization").as_string()))
        << "botocore's canonical request:\n"
        << expected.at("canonical_request").as_string().c_str();
    if (!token.empty()) must_sign.push_back("x-amz-security-token");
    const std::string signed_headers = sent.substr(sent.find("SignedHeaders=") + 14);
    for (const auto& name : must_sign) {
      EXPECT_NE(signed_headers.find(name), std::string::npos) << name << " is not signed: " << sent;
    }
    EXPECT_EQ(request.header("X-Amz-Security-Token"), token);
  }

  HttpReceiver receiver_;
  testing_support::TempDir dir_;
  std::filesystem::path script_;
};

TEST_F(SigV4Signature, DynamoDbJsonCallWithLongTermKeys) {
  const auto request = json_call("dynamodb", "DynamoDB_20120810.GetItem", "");
  expect_verified(request, "", "dynamodb", {"host", "x-amz-date", "content-type", "x-amz-target"});
}

TEST_F(SigV4Signature, DynamoDbJsonCallWithASessionToken) {
  const auto request = json_call("dynamodb", "DynamoDB_20120810.GetItem", kExampleToken);
  expect_verified(request, kExampleToken, "dynamodb", {"host", "x-amz-date", "content-type", "x-amz-target"});
}

TEST_F(SigV4Signature, SqsJsonCallWithASessionToken) {
  const auto request = json_call("sqs", "AmazonSQS.ReceiveMessage", kExampleToken);
  expect_verified(request, kExampleToken, "sqs", {"host", "x-amz-date", "content-type", "x-amz-target"});
}

// Over 1 MB curl adds "Expect: 100-continue" (unsigned, which AWS accepts; this receiver never says
// Continue, so curl waits its second and sends). Suppressing it with an empty "Expect:" would break
// the signature: curl 7.88 signs the empty header it then leaves out.
TEST_F(SigV4Signature, ABodyOverOneMegabyteIsSigned) {
  const std::string body =
      R"({"RequestItems":{"orders":[{"PutRequest":{"Item":{"blob":{"S":")" + std::string(1500000, 'x') + R"("}}}}]}})";
  const auto request = json_call("dynamodb", "DynamoDB_20120810.BatchWriteItem", "", body);
  EXPECT_EQ(request.body.size(), body.size());
  expect_verified(request, "", "dynamodb", {"host", "x-amz-date", "content-type", "x-amz-target"});
}

TEST_F(SigV4Signature, SnsFormCallWithLongTermKeys) {
  const auto request = form_call("");
  EXPECT_EQ(request.target, "/");
  expect_verified(request, "", "sns", {"host", "x-amz-date", "content-type"});
}

TEST_F(SigV4Signature, SnsFormCallWithASessionToken) {
  const auto request = form_call(kExampleToken);
  expect_verified(request, kExampleToken, "sns", {"host", "x-amz-date", "content-type"});
}

TEST_F(SigV4Signature, ATamperedRequestDoesNotVerify) {
  // The check itself can fail: the same request with one byte of the body changed.
  auto request = json_call("dynamodb", "DynamoDB_20120810.PutItem", "");
  request.body[5] = request.body[5] == 'x' ? 'y' : 'x';
  EXPECT_NE(request.header("Authorization"), botocore(request, "", "dynamodb").at("authorization").as_string());
}

// AWS's published test suite (aws-sig-v4-test-suite, "post-x-www-form-urlencoded"): credentials
// AKIDEXAMPLE, 20150830T123600Z, us-east-1, service "service", POST / of "Param1=value1" to
// example.amazonaws.com. Needs no python; curl takes the date from our X-Amz-Date header.
TEST(SigV4PublishedVector, PostXWwwFormUrlencoded) {
  net::CurlRuntime runtime;
  net::EventLoops loops(1, "sigv4-vector");
  net::CurlMulti http(loops.context(0));
  HttpReceiver receiver;
  const auto endpoint = service_endpoint("service", "us-east-1", "http://example.amazonaws.com");
  const Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "vector"};
  auto transfer = signed_post(endpoint, credentials,
                              {"application/x-www-form-urlencoded", {"X-Amz-Date: 20150830T123600Z"}, "Param1=value1"});
  const std::string connect_to = "example.amazonaws.com:80:127.0.0.1:" + std::to_string(receiver.port());
  net::CurlList connect;
  connect.append(connect_to);
  curl_easy_setopt(transfer.easy.get(), CURLOPT_CONNECT_TO, connect.get());
  std::promise<long> status;
  http.perform(std::move(transfer),
               [&](net::HttpExchange exchange, std::exception_ptr) { status.set_value(exchange.status); });
  ASSERT_EQ(status.get_future().get(), 200);
  const auto request = receiver.requests().at(0);
  EXPECT_EQ(request.header("Host"), "example.amazonaws.com");
  EXPECT_EQ(request.header("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

}  // namespace
}  // namespace ninja::aws
