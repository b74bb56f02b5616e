// What the server puts on the wire, checked byte for byte: HEAD, 204, echoed request ids on
// rejections, Host rules, deadlines between keep-alive requests, the overload answer.
#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>

#include <thread>

#include "http/server.hpp"
#include "net/event_loops.hpp"
#include "unit/http/raw_client.hpp"

namespace ninja::http {
namespace {

using namespace std::chrono_literals;

class ServerWire : public ::testing::Test {
 protected:
  ServerWire() {
    router.add("GET", "/orders/{id}", [](const Request&, const PathParams& p) {
      return Response::json(200, R"({"id":")" + std::string(p.get("id")) + R"("})");
    });
    router.add("DELETE", "/orders/{id}", [](const Request&, const PathParams&) { return Response::empty(204); });
  }
  ~ServerWire() override { server.reset(); }
  std::string start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server = std::make_unique<Server>(options, pipeline, loops, log);
    return server->start();
  }

  net::EventLoops loops{1, "wire-test"};
  Router router;
  util::MetricsRegistry metrics;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_mt>());
  util::UuidV7Generator ids{[] { return int64_t{1795498020123}; }};
  Pipeline pipeline{router, metrics, log, log, [](std::exception_ptr) { return Response::empty(500); }, ids};
  std::unique_ptr<Server> server;
};

// RFC 9110 §9.3.2: the GET's header fields, Content-Length included, and no body — so the next
// response on the connection starts where the client expects it.
TEST_F(ServerWire, HeadAnswersTheGetHeadWithoutTheBody) {
  Client client(start());
  client.get("/orders/abc");
  const std::string get = client.response();
  ASSERT_NE(get.find("200 OK"), std::string::npos) << get;
  client.send("HEAD /orders/abc HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string head = client.head();
  EXPECT_NE(head.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Length: 12\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: application/json; charset=utf-8\r\n"), std::string::npos) << head;
  client.get("/orders/next");  // a body after the HEAD's head would be read as this response
  const std::string next = client.response();
  EXPECT_EQ(next.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << next;
  EXPECT_NE(next.find(R"({"id":"next"})"), std::string::npos) << next;
}

TEST_F(ServerWire, HeadOfAProblemCarriesNoBodyEither) {
  Client client(start());
  client.send("HEAD /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string head = client.head();
  EXPECT_NE(head.find("404 Not Found"), std::string::npos) << head;
  EXPECT_EQ(client.rest(), "");  // nothing follows the head before the close
}

TEST_F(ServerWire, NoContentHasNoContentLength) {
  Client client(start());
  client.send("DELETE /orders/abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string response = client.rest();
  EXPECT_EQ(response.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << response;
  EXPECT_EQ(response.find("Content-Length"), std::string::npos) << response;
}

TEST_F(ServerWire, ARejectionEchoesTheClientsRequestId) {
  ServerOptions options;
  options.max_body_bytes = 16;
  Client client(start(options));
  client.send("POST /orders/abc HTTP/1.1\r\nHost: x\r\nX-Request-Id: client-42\r\nContent-Length: 100\r\n\r\n");
  const std::string response = client.response();
  EXPECT_NE(response.find("413 Payload Too Large"), std::string::npos) << response;
  EXPECT_NE(response.find("X-Request-Id: client-42\r\n"), std::string::npos) << response;
}

// `?cursor=%%%` is a bad query on a known resource (400), not an unknown resource (404).
TEST_F(ServerWire, ABrokenQueryIsABadQuery) {
  Client client(start());
  client.get("/orders/abc?cursor=%%%");
  const std::string bad = client.response();
  EXPECT_NE(bad.find("400 Bad Request"), std::string::npos) << bad;
  EXPECT_NE(bad.find("/problems/bad-query"), std::string::npos) << bad;
  client.get("/nowhere?cursor=%%%");
  EXPECT_NE(client.response().find("404 Not Found"), std::string::npos);
  client.get("/orders/abc?cursor=%41");
  EXPECT_NE(client.response().find("200 OK"), std::string::npos);
}

TEST_F(ServerWire, TwoHostHeadersAreRefused) {
  Client client(start());
  client.send("GET /orders/abc HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n");
  const std::string response = client.response();
  EXPECT_NE(response.find("400 Bad Request"), std::string::npos) << response;
  EXPECT_NE(response.find("more than one Host header"), std::string::npos) << response;
}

// Slowloris on a kept-alive connection: once the next request has begun, its header must arrive
// within the request timeout, not the (much longer) idle timeout.
TEST_F(ServerWire, TheNextRequestsHeaderHasTheRequestTimeout) {
  ServerOptions options;
  options.request_timeout = 300ms;
  options.idle_timeout = 20s;
  Client client(start(options));
  client.get("/orders/abc");
  ASSERT_NE(client.response().find("200 OK"), std::string::npos);
  std::this_thread::sleep_for(400ms);  // idle longer than the request timeout: still open
  const auto begun = std::chrono::steady_clock::now();
  client.send("GET /orders/abc HTTP/1.1\r\n");
  for (int i = 0; i < 10 && std::chrono::steady_clock::now() - begun < 1500ms; ++i) {
    std::this_thread::sleep_for(100ms);
    try {
      client.send("X");  // a byte now and then, never the end of the header
    } catch (const boost::system::system_error&) {
      break;  // the server closed it
    }
  }
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - begun, 3s);
}

TEST_F(ServerWire, AnIdleKeptAliveConnectionMayWaitPastTheRequestTimeout) {
  ServerOptions options;
  options.request_timeout = 200ms;
  options.idle_timeout = 20s;
  Client client(start(options));
  client.get("/orders/abc");
  ASSERT_NE(client.response().find("200 OK"), std::string::npos);
  std::this_thread::sleep_for(500ms);
  client.get("/orders/later");
  EXPECT_NE(client.response().find(R"({"id":"later"})"), std::string::npos);
}

TEST_F(ServerWire, TooManyConnectionsGetA503WithRetryAfter) {
  ServerOptions options;
  options.max_connections = 1;
  const auto address = start(options);
  Client first(address);
  first.get("/orders/abc");
  ASSERT_NE(first.response().find("200 OK"), std::string::npos);
  Client second(address);
  const std::string response = second.response();
  EXPECT_NE(response.find("503 Service Unavailable"), std::string::npos) << response;
  EXPECT_NE(response.find("Retry-After: 1\r\n"), std::string::npos) << response;
}

TEST_F(ServerWire, OneAddressMayNotTakeEverySlot) {
  ServerOptions options;
  options.max_connections_per_client = 2;
  const auto address = start(options);
  auto first = std::make_unique<Client>(address);
  Client second(address);
  for (Client* c : {first.get(), &second}) {
    c->get("/orders/abc");
    ASSERT_NE(c->response().find("200 OK"), std::string::npos);
  }
  Client third(address);
  const std::string refused = third.response();
  EXPECT_NE(refused.find("503 Service Unavailable"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos) << refused;
  EXPECT_NE(refused.find("from your address"), std::string::npos) << refused;
  first.reset();  // a closed connection gives its place back
  std::string served;
  for (int attempt = 0; attempt < 50 && served.find("200 OK") == std::string::npos; ++attempt) {
    std::this_thread::sleep_for(20ms);  // the server notices the close on its own time
    Client fourth(address);
    fourth.get("/orders/abc");
    served = fourth.response();
  }
  EXPECT_NE(served.find("200 OK"), std::string::npos) << served;
}

}  // namespace
}  // namespace ninja::http
