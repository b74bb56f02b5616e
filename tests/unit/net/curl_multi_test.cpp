#include "net/curl_multi.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>

#include "domain/errors.hpp"
#include "net/event_loops.hpp"
#include "support/closed_port.hpp"
#include "support/http_receiver.hpp"

namespace ninja::net {
namespace {

using namespace std::chrono_literals;
using testing_support::HttpReceiver;
using testing_support::ReceivedRequest;
using testing_support::Reply;

HttpTransfer post_to(const std::string& url, std::string body, long timeout_ms = 5000) {
  HttpTransfer transfer{new_curl_easy(timeout_ms), {}, std::move(body), true};
  curl_easy_setopt(transfer.easy.get(), CURLOPT_URL, url.c_str());
  transfer.headers.append("Content-Type: application/json");
  return transfer;
}

// What a completion saw, for tests that wait for one.
struct Outcome {
  HttpExchange exchange;
  std::exception_ptr error;
  bool on_loop = false;
};

using testing_support::closed_loopback_port;

class CurlMultiTest : public ::testing::Test {
 protected:
  CurlRuntime runtime;
  EventLoops loops{1, "curl-test"};
  std::unique_ptr<CurlMulti> client = std::make_unique<CurlMulti>(loops.context(0));

  Outcome perform(HttpTransfer transfer) {
    std::promise<Outcome> promise;
    client->perform(std::move(transfer), [&](HttpExchange exchange, std::exception_ptr error) {
      promise.set_value({std::move(exchange), error, loops.current().has_value()});
    });
    return promise.get_future().get();
  }
};

TEST_F(CurlMultiTest, PostsTheBodyAndReturnsStatusHeadersAndBodyOnTheLoop) {
  HttpReceiver receiver([](const ReceivedRequest& request) {
    return Reply{201, "application/json", "{\"echo\":" + request.body + "}", {{"X-Request-Id", "r-1"}}};
  });
  auto transfer = post_to(receiver.url() + "/items", R"({"a":1})");
  transfer.headers.append("X-Custom: yes");
  const Outcome outcome = perform(std::move(transfer));

  ASSERT_FALSE(outcome.error);
  EXPECT_TRUE(outcome.on_loop);
  EXPECT_TRUE(outcome.exchange.responded()) << outcome.exchange.error;
  EXPECT_EQ(outcome.exchange.status, 201);
  EXPECT_EQ(outcome.exchange.body, R"({"echo":{"a":1}})");
  EXPECT_EQ(outcome.exchange.header("x-request-id"), "r-1");
  EXPECT_EQ(outcome.exchange.header("content-type"), "application/json");
  EXPECT_EQ(outcome.exchange.new_connections, 1);

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/items");
  EXPECT_EQ(requests[0].body, R"({"a":1})");
  EXPECT_EQ(requests[0].header("x-custom"), "yes");
}

TEST_F(CurlMultiTest, TwoHundredTransfersAreInFlightAtOnceOnOneThread) {
  // Each answer waits 300 ms: one after another they would take a minute; in parallel, ~0.3 s.
  HttpReceiver receiver([](const ReceivedRequest&) { return Reply{200, "text/plain", "ok", {}, 300ms}; });
  constexpr int kTransfers = 200;
  std::atomic<int> ok{0};
  std::promise<void> all_done;
  std::atomic<int> remaining{kTransfers};
  std::atomic<size_t> in_flight_at_first_answer{0};
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < kTransfers; ++i) {
    client->perform(post_to(receiver.url() + "/slow", std::to_string(i)),
                    [&](HttpExchange exchange, std::exception_ptr error) {
                      if (!error && exchange.status == 200 && exchange.body == "ok") ++ok;
                      if (remaining == kTransfers) in_flight_at_first_answer = client->in_flight();
                      if (--remaining == 0) all_done.set_value();
                    });
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  const auto elapsed = std::chrono::steady_clock::now() - began;

  EXPECT_EQ(ok.load(), kTransfers);
  EXPECT_GE(receiver.peak_connections(), kTransfers * 3 / 4) << "the transfers did not run side by side";
  EXPECT_LT(elapsed, 10s) << "one loop thread must not serialise the transfers";
  EXPECT_EQ(client->in_flight(), 0u);
  EXPECT_GE(in_flight_at_first_answer.load(), size_t{kTransfers * 3 / 4});
}

TEST_F(CurlMultiTest, ReusesItsConnectionAcrossTransfers) {
  HttpReceiver receiver;
  long opened = 0;
  for (int i = 0; i < 20; ++i) {
    const Outcome outcome = perform(post_to(receiver.url() + "/", "{}"));
    ASSERT_EQ(outcome.exchange.status, 200) << outcome.exchange.error;
    opened += outcome.exchange.new_connections;
  }
  EXPECT_EQ(receiver.request_count(), 20u);
  EXPECT_EQ(receiver.connections(), 1);
  EXPECT_EQ(opened, 1);
}

TEST_F(CurlMultiTest, OpensANewConnectionWhenTheServerClosedTheLastOne) {
  HttpReceiver receiver([](const ReceivedRequest&) { return Reply{200, "text/plain", "bye", {}, 0ms, true}; });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(perform(post_to(receiver.url() + "/", "{}")).exchange.status, 200);
  EXPECT_EQ(receiver.connections(), 3);
}

TEST_F(CurlMultiTest, ATransferThatOutlastsItsTimeoutFailsWithATimeout) {
  HttpReceiver receiver([](const ReceivedRequest&) { return Reply{200, "text/plain", "late", {}, 10s}; });
  const auto began = std::chrono::steady_clock::now();
  const Outcome outcome = perform(post_to(receiver.url() + "/", "{}", 200));
  const auto elapsed = std::chrono::steady_clock::now() - began;
  ASSERT_FALSE(outcome.error);
  EXPECT_EQ(outcome.exchange.code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_FALSE(outcome.exchange.responded());
  EXPECT_FALSE(outcome.exchange.error.empty());
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(CurlMultiTest, AClosedPortIsATransportError) {
  const Outcome outcome = perform(post_to("http://127.0.0.1:" + std::to_string(closed_loopback_port()) + "/", "{}"));
  ASSERT_FALSE(outcome.error);
  EXPECT_EQ(outcome.exchange.code, CURLE_COULDNT_CONNECT);
  EXPECT_EQ(outcome.exchange.status, 0);
  EXPECT_FALSE(outcome.exchange.error.empty());
}

TEST_F(CurlMultiTest, AnAnswerLongerThanTheLimitFailsTheTransfer) {
  client = std::make_unique<CurlMulti>(loops.context(0), CurlMultiOptions{16, 1024});
  HttpReceiver receiver([](const ReceivedRequest&) { return Reply{200, "text/plain", std::string(4096, 'x'), {}}; });
  const Outcome outcome = perform(post_to(receiver.url() + "/", "{}"));
  EXPECT_EQ(outcome.exchange.code, CURLE_WRITE_ERROR);
}

TEST_F(CurlMultiTest, ShutdownCompletesTransfersInFlightOnceAndRefusesNewOnes) {
  HttpReceiver receiver([](const ReceivedRequest&) { return Reply{200, "text/plain", "never", {}, 1h}; });
  constexpr int kTransfers = 10;
  std::mutex mutex;
  int unavailable = 0;
  int other = 0;
  for (int i = 0; i < kTransfers; ++i) {
    client->perform(post_to(receiver.url() + "/", "{}"), [&](HttpExchange, std::exception_ptr error) {
      std::lock_guard lock(mutex);
      try {
        if (error) std::rethrow_exception(error);
        ++other;
      } catch (const domain::Unavailable&) {
        ++unavailable;
      }
    });
  }
  for (int i = 0; i < 200 && receiver.request_count() < kTransfers; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(receiver.request_count(), size_t{kTransfers});

  client->shutdown();  // from this thread, while the loop runs
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(unavailable, kTransfers);
    EXPECT_EQ(other, 0);
  }
  const Outcome late = perform(post_to(receiver.url() + "/", "{}"));
  EXPECT_THROW(std::rethrow_exception(late.error), domain::Unavailable);

  client.reset();
  std::this_thread::sleep_for(50ms);  // the loop keeps running: nothing of the client may run now
  std::lock_guard lock(mutex);
  EXPECT_EQ(unavailable, kTransfers);
}

TEST_F(CurlMultiTest, DestroyedOnItsOwnLoopInsideACompletion) {
  HttpReceiver receiver;
  std::promise<void> destroyed;
  client->perform(post_to(receiver.url() + "/", "{}"), [&](HttpExchange exchange, std::exception_ptr) {
    EXPECT_EQ(exchange.status, 200);
    client.reset();  // the owner may drop the client from a completion
    destroyed.set_value();
  });
  ASSERT_EQ(destroyed.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(client, nullptr);
}

TEST_F(CurlMultiTest, ACompletionMayStartTheNextTransfer) {
  HttpReceiver receiver;
  std::promise<int> finished;
  std::function<void(int)> chain = [&](int left) {
    client->perform(post_to(receiver.url() + "/", "{}"), [&, left](HttpExchange exchange, std::exception_ptr) {
      if (exchange.status != 200 || left == 0) return finished.set_value(left);
      chain(left - 1);
    });
  };
  chain(5);
  ASSERT_EQ(finished.get_future().get(), 0);
  EXPECT_EQ(receiver.request_count(), 6u);
  EXPECT_EQ(receiver.connections(), 1);
}

// A server that cannot take requests side by side (moto's DynamoDB transactions) gets them one at
// a time: the transfers are all started at once, curl holds the rest until the connection is free.
TEST_F(CurlMultiTest, AHostConnectionLimitQueuesTransfersInsteadOfOpeningMore) {
  client = std::make_unique<CurlMulti>(loops.context(0), CurlMultiOptions{256, size_t{1} << 20, 1});
  HttpReceiver receiver([](const ReceivedRequest&) { return Reply{200, "text/plain", "ok", {}, 20ms}; });
  constexpr int kTransfers = 10;
  std::atomic<int> ok{0};
  std::atomic<int> remaining{kTransfers};
  std::promise<void> all_done;
  for (int i = 0; i < kTransfers; ++i) {
    client->perform(post_to(receiver.url() + "/one-at-a-time", std::to_string(i)),
                    [&](HttpExchange exchange, std::exception_ptr error) {
                      if (!error && exchange.status == 200) ++ok;
                      if (--remaining == 0) all_done.set_value();
                    });
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(ok.load(), kTransfers);
  EXPECT_EQ(receiver.peak_connections(), 1);
  EXPECT_EQ(receiver.request_count(), static_cast<size_t>(kTransfers));
}

}  // namespace
}  // namespace ninja::net
