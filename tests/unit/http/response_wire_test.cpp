#include "http/response_wire.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sstream>

namespace ninja::http {
namespace {

namespace bhttp = boost::beast::http;

// What Beast sends for the same response: the reference the hand-written serializer must match.
std::string beast_wire(const Response& response, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), version};
  if (!response.content_type.empty()) message.set(bhttp::field::content_type, response.content_type);
  for (const auto& h : response.headers) message.insert(h.name, h.value);
  message.body() = response.body;
  message.keep_alive(keep_alive);
  message.prepare_payload();
  std::ostringstream out;
  out << message;
  return out.str();
}

Response sample(int status) {
  Response r = Response::json(status, R"({"id":"0190","total":1200})");
  r.with_header("X-Request-Id", "req-1").with_header("Location", "/v1/orders/0190");
  return r;
}

TEST(ResponseWire, MatchesBeastForEveryVersionAndConnectionChoice) {
  for (const int status : {200, 201, 400, 404, 409, 413, 422, 429, 500, 503}) {
    for (const unsigned version : {10u, 11u}) {
      for (const bool keep_alive : {true, false}) {
        EXPECT_EQ(to_wire(sample(status), version, keep_alive), beast_wire(sample(status), version, keep_alive))
            << status << " HTTP/" << version << " keep-alive " << keep_alive;
      }
    }
  }
}

TEST(ResponseWire, MatchesBeastForAnEmptyBodyAndAnUnknownStatus) {
  Response empty = Response::empty(200);
  EXPECT_EQ(to_wire(Response(empty), 11, true), beast_wire(empty, 11, true));
  Response odd = Response::text(299, "text/plain", "odd");
  EXPECT_EQ(to_wire(Response(odd), 11, true), beast_wire(odd, 11, true));
}

TEST(ResponseWire, WritesTheExactBytes) {
  EXPECT_EQ(to_wire(Response::text(200, "text/plain", "ok"), 11, true),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(to_wire(Response::text(200, "text/plain", "ok"), 11, false),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
}

// RFC 9110 §8.6: a 204 (and a 304, and any 1xx) has neither a body nor a Content-Length.
TEST(ResponseWire, NoContentHasNoContentLengthAndNoBody) {
  Response deleted = Response::empty(204);
  deleted.with_header("X-Request-Id", "r");
  EXPECT_EQ(to_wire(std::move(deleted), 11, true), "HTTP/1.1 204 No Content\r\nX-Request-Id: r\r\n\r\n");
  Response not_modified = Response::text(304, "text/plain", "dropped");
  EXPECT_EQ(to_wire(std::move(not_modified), 11, true),
            "HTTP/1.1 304 Not Modified\r\nContent-Type: text/plain\r\n\r\n");
}

}  // namespace
}  // namespace ninja::http
