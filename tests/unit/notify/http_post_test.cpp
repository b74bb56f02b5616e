#include "notify/http_post.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "net/curl_handle.hpp"
#include "net/curl_multi.hpp"
#include "net/event_loops.hpp"
#include "support/closed_port.hpp"
#include "support/http_receiver.hpp"

namespace ninja::notify {
namespace {

TEST(HttpClassify, MapsStatusesOntoOutcomes) {
  EXPECT_EQ(classify({200, {}, false}).outcome, Outcome::delivered);
  EXPECT_EQ(classify({204, {}, false}).outcome, Outcome::delivered);
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
    EXPECT_EQ(classify({status, {}, false}).outcome, Outcome::retry) << status;
  }
  for (long status : {301L, 400L, 401L, 403L, 404L, 410L, 422L}) {
    const auto attempt = classify({status, {}, false});
    EXPECT_EQ(attempt.outcome, Outcome::dead) << status;
    EXPECT_EQ(attempt.error, "HTTP " + std::to_string(status));
  }
  EXPECT_EQ(classify({0, "Couldn't connect to server", false}).outcome, Outcome::retry);
  EXPECT_EQ(classify({0, "destination refused", true}).outcome, Outcome::dead);
}

using testing_support::closed_loopback_port;

class HttpPostTest : public ::testing::Test {
 protected:
  net::CurlRuntime curl;
  net::EventLoops loops{1, "post-test"};
  net::CurlMulti client{loops.context(0)};

  HttpResult post(const HttpPost& request) {
    std::promise<HttpResult> result;
    notify::post(client, request, [&](HttpResult r, const std::exception_ptr& error) {
      EXPECT_FALSE(error);
      result.set_value(std::move(r));
    });
    return result.get_future().get();
  }
  HttpPost request_to(const std::string& url, bool allow_private) {
    HttpPost request;
    request.url = url;
    request.content_type = "application/json";
    request.body = "{}";
    request.timeout_ms = 2000;
    request.allow_private = allow_private;
    return request;
  }
};

TEST_F(HttpPostTest, RefusesLoopbackUnlessAllowed) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_loopback_port()) + "/hook";
  const auto refused = post(request_to(url, false));
  EXPECT_TRUE(refused.permanent);
  EXPECT_NE(refused.transport_error.find("not a public address"), std::string::npos) << refused.transport_error;
  EXPECT_EQ(classify(refused).outcome, Outcome::dead);

  const auto allowed = post(request_to(url, true));  // allowed through, then nobody answers
  EXPECT_FALSE(allowed.permanent);
  EXPECT_EQ(allowed.status, 0);
  EXPECT_EQ(classify(allowed).outcome, Outcome::retry);
}

TEST_F(HttpPostTest, RefusesANameThatResolvesToLoopback) {
  const auto result = post(request_to("http://localhost:" + std::to_string(closed_loopback_port()) + "/", false));
  EXPECT_TRUE(result.permanent) << result.transport_error;
}

TEST_F(HttpPostTest, RefusesOtherProtocolsAndMalformedUrls) {
  for (const char* url : {"file:///etc/passwd", "gopher://127.0.0.1/", "not a url", "http://"}) {
    const auto result = post(request_to(url, true));
    EXPECT_EQ(classify(result).outcome, Outcome::dead) << url << ": " << result.transport_error;
  }
}

TEST_F(HttpPostTest, SendsTheRequestAndReusesTheConnection) {
  testing_support::HttpReceiver receiver([](const testing_support::ReceivedRequest&) {
    return testing_support::Reply{204, "", "", {}};
  });
  auto request = request_to(receiver.url() + "/hook", true);
  request.headers = {"webhook-id: evt-1"};
  request.body = R"({"id":"evt-1"})";
  for (int i = 0; i < 3; ++i) {
    const auto result = post(request);
    EXPECT_EQ(result.status, 204) << result.transport_error;
    EXPECT_EQ(classify(result).outcome, Outcome::delivered);
  }
  const auto received = receiver.requests();
  ASSERT_EQ(received.size(), 3U);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].target, "/hook");
  EXPECT_EQ(received[0].header("webhook-id"), "evt-1");
  EXPECT_EQ(received[0].header("content-type"), "application/json");
  EXPECT_EQ(received[0].body, R"({"id":"evt-1"})");
  // Keep-alive: the receiver saw one connection, not one per notification.
  EXPECT_EQ(received[2].connection, 1);
}

TEST_F(HttpPostTest, ASlowReceiverTimesOutAsARetry) {
  testing_support::HttpReceiver receiver([](const testing_support::ReceivedRequest&) {
    return testing_support::Reply{200, "application/json", "{}", {}, std::chrono::hours(1)};
  });
  auto request = request_to(receiver.url() + "/slow", true);
  request.timeout_ms = 200;
  const auto result = post(request);
  EXPECT_EQ(result.status, 0);
  EXPECT_FALSE(result.permanent);
  EXPECT_EQ(classify(result).outcome, Outcome::retry);
}

TEST_F(HttpPostTest, AShutDownClientReportsARetryNotAnError) {
  client.shutdown();
  const auto result = post(request_to("http://127.0.0.1:1/", true));
  EXPECT_EQ(classify(result).outcome, Outcome::retry);
  EXPECT_FALSE(result.transport_error.empty());
}

}  // namespace
}  // namespace ninja::notify
