#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <boost/json/parse.hpp>

#include <sstream>
#include <stdexcept>

#include "api/error_mapping.hpp"
#include "domain/errors.hpp"
#include "http/pipeline.hpp"
#include "util/uuid.hpp"

namespace ninja::http {
namespace {

std::string_view header_of(const Response& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

std::shared_ptr<spdlog::logger> capture_logger(const std::string& name, std::ostringstream& out) {
  auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_pattern("%v");
  return logger;
}

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() {
    router.add("GET", "/things/{id}", [](const Request& r, const PathParams& p) {
      return Response::json(200, "{\"id\":\"" + std::string(p.get("id")) + "\",\"rid\":\"" + r.request_id + "\"}");
    });
    router.add_async("DELETE", "/things/{id}",
                     [](const Request&, const PathParams&, Respond respond) { respond(Response::empty(204)); });
    // Answers when the test calls `later` (as a create does after its group commit).
    router.add_async("POST", "/later",
                     [this](const Request&, const PathParams&, Respond respond) { later = std::move(respond); });
    router.add_async("POST", "/async-missing",
                     [](const Request&, const PathParams&, Respond) { throw domain::NotFound("no such async thing"); });
    router.add_async("POST", "/async-boom", [](const Request&, const PathParams&, Respond) {
      throw std::runtime_error("secret async internals");
    });
    router.add("GET", "/missing",
               [](const Request&, const PathParams&) -> Response { throw domain::NotFound("no such thing"); });
    router.add("GET", "/boom",
               [](const Request&, const PathParams&) -> Response { throw std::runtime_error("secret internals"); });
    router.add("GET", "/int", [](const Request&, const PathParams&) -> Response { throw 42; });
    router.add("GET", "/healthz",
               [](const Request&, const PathParams&) { return Response::text(200, "text/plain", "ok"); });
  }

  Request request(std::string method, std::string path, std::optional<std::string> request_id = std::nullopt) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.target = r.path;
    r.remote_address = "127.0.0.1:5555";
    if (request_id) r.headers.push_back({"x-request-id", *request_id});
    return r;
  }

  // Runs the handler through the responding invoke; expects exactly one response, at once.
  Response respond_now(const Pipeline& p, const Dispatch& d, const Request& r) {
    int calls = 0;
    Response response;
    p.invoke(d, r, [&](Response answer) {
      ++calls;
      response = std::move(answer);
    });
    EXPECT_EQ(calls, 1) << "respond must be called exactly once";
    return response;
  }

  // The whole pipeline as the server runs it: synchronous handlers answer at once, asynchronous
  // ones through the responding invoke.
  Response run(Request& r) {
    Dispatch d = pipeline.dispatch(r);
    const bool sync = !d.response && !d.route->async_handler;
    Response response = d.response ? *d.response : sync ? pipeline.invoke(d, r) : respond_now(pipeline, d, r);
    pipeline.complete(r, response, &d, std::chrono::milliseconds(3));
    return response;
  }

  Respond later;
  Router router;
  util::MetricsRegistry metrics;
  std::ostringstream access_out, app_out;
  util::UuidV7Generator ids{[] { return int64_t{1795498020123}; }};
  Pipeline pipeline{
      router, metrics, capture_logger("access", access_out), capture_logger("app", app_out), api::map_exception, ids};
};

TEST_F(PipelineTest, AcceptableRequestIdIsEchoed) {
  for (const std::string& id : {std::string("abc-123"), std::string(128, 'r'), std::string("a!~{}")}) {
    auto r = request("GET", "/things/1", id);
    const auto response = run(r);
    EXPECT_EQ(r.request_id, id);
    EXPECT_EQ(header_of(response, "X-Request-Id"), id);
  }
}

TEST_F(PipelineTest, MissingRequestIdIsGenerated) {
  auto r = request("GET", "/things/1");
  const auto response = run(r);
  EXPECT_EQ(util::canonical_uuid(r.request_id), r.request_id);
  EXPECT_EQ(r.request_id[14], '7');
  EXPECT_EQ(header_of(response, "X-Request-Id"), r.request_id);
  // The handler saw the same id.
  EXPECT_NE(response.body.find(r.request_id), std::string::npos);
}

TEST_F(PipelineTest, UnacceptableRequestIdIsReplaced) {
  for (const std::string& bad :
       {std::string(200, 'x'), std::string(129, 'x'), std::string("has space"), std::string("tab\there"),
        std::string("new\nline"), std::string("caf\xC3\xA9"), std::string("")}) {
    auto r = request("GET", "/things/1", bad);
    const auto response = run(r);
    EXPECT_NE(r.request_id, bad);
    EXPECT_EQ(util::canonical_uuid(r.request_id), r.request_id) << '"' << bad << '"';
    EXPECT_EQ(header_of(response, "X-Request-Id"), r.request_id);
  }
}

TEST_F(PipelineTest, GeneratedIdsDiffer) {
  auto a = request("GET", "/things/1");
  auto b = request("GET", "/things/1");
  pipeline.dispatch(a);
  pipeline.dispatch(b);
  EXPECT_NE(a.request_id, b.request_id);
}

TEST_F(PipelineTest, MatchedRouteRunsItsHandler) {
  auto r = request("GET", "/things/42");
  const Dispatch d = pipeline.dispatch(r);
  EXPECT_FALSE(d.response.has_value());
  ASSERT_NE(d.route, nullptr);
  EXPECT_EQ(d.route->pattern, "/things/{id}");
  EXPECT_EQ(d.params.get("id"), "42");
  auto del = request("DELETE", "/things/42");
  EXPECT_TRUE(pipeline.dispatch(del).route->async_handler);
  const auto response = pipeline.invoke(d, r);
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("\"id\":\"42\""), std::string::npos);
}

TEST_F(PipelineTest, UnknownPathIs404Problem) {
  auto r = request("GET", "/nowhere");
  const Dispatch d = pipeline.dispatch(r);
  ASSERT_TRUE(d.response.has_value());
  EXPECT_EQ(d.route, nullptr);
  EXPECT_EQ(d.response->status, 404);
  EXPECT_EQ(d.response->content_type, "application/problem+json");
  EXPECT_EQ(boost::json::parse(d.response->body).at("type").as_string(), "/problems/not-found");
}

TEST_F(PipelineTest, WrongMethodIs405WithAllow) {
  auto r = request("PUT", "/things/1");
  const auto response = run(r);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.content_type, "application/problem+json");
  EXPECT_EQ(header_of(response, "Allow"), "GET, HEAD, DELETE");
  const auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("type").as_string(), "/problems/method-not-allowed");
  EXPECT_EQ(body.at("status").as_int64(), 405);
  EXPECT_NE(header_of(response, "X-Request-Id"), "<absent>");
}

TEST_F(PipelineTest, DomainExceptionIsMappedToItsProblem) {
  auto r = request("GET", "/missing");
  const auto response = run(r);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(boost::json::parse(response.body).at("detail").as_string(), "no such thing");
}

TEST_F(PipelineTest, UnknownExceptionIs500RevealingNothing) {
  for (const char* path : {"/boom", "/int"}) {
    auto r = request("GET", path);
    const auto response = run(r);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.content_type, "application/problem+json");
    EXPECT_EQ(boost::json::parse(response.body).at("type").as_string(), "/problems/internal");
    EXPECT_EQ(response.body.find("secret"), std::string::npos);
  }
  EXPECT_NE(app_out.str().find("failed with 500"), std::string::npos) << app_out.str();
}

TEST_F(PipelineTest, TheCauseOfA500IsLoggedNotSent) {
  // A failure that arrives after the handler returned (a failed group commit) reaches the client as
  // an opaque 500; its cause travels in Response::diagnostic to the log line.
  router.add_async("POST", "/commit", [](const Request&, const PathParams&, Respond respond) {
    respond(api::map_exception(std::make_exception_ptr(std::runtime_error("disk I/O error (secret path)"))));
  });
  auto r = request("POST", "/commit");
  const auto response = run(r);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("disk I/O"), std::string::npos);
  EXPECT_NE(app_out.str().find("failed with 500: disk I/O error (secret path)"), std::string::npos) << app_out.str();
  EXPECT_NE(app_out.str().find(r.request_id), std::string::npos) << app_out.str();
}

// An outage fails every request: the log gets a bounded number of lines, and the next line
// written says how many were left out.
TEST_F(PipelineTest, AFloodOfFailuresIsLoggedInBoundedLines) {
  router.add("GET", "/down", [](const Request&, const PathParams&) {
    return api::map_exception(std::make_exception_ptr(domain::Unavailable("postgres: server closed the connection")));
  });
  for (int i = 0; i < 5000; ++i) {
    auto r = request("GET", "/down");
    ASSERT_EQ(run(r).status, 503);
  }
  const std::string log = app_out.str();
  const auto lines = static_cast<size_t>(std::count(log.begin(), log.end(), '\n'));
  EXPECT_GE(lines, 20u);
  EXPECT_LE(lines, 40u) << log.substr(0, 2000);                 // the burst, and what the rate allows meanwhile
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // a line's worth of budget is back
  auto after = request("GET", "/down");
  run(after);
  const std::string tail = app_out.str().substr(log.size());
  EXPECT_NE(tail.find("more failed requests not logged)"), std::string::npos) << tail;
  EXPECT_NE(tail.find(after.request_id), std::string::npos) << tail;
}

TEST_F(PipelineTest, FailingMapperStillGives500AndNeverThrows) {
  Pipeline fragile{router,
                   metrics,
                   nullptr,
                   capture_logger("app2", app_out),
                   [](std::exception_ptr) -> Response { throw std::logic_error("mapper broke"); },
                   ids};
  auto r = request("GET", "/boom");
  const Dispatch d = fragile.dispatch(r);
  const Response response = fragile.invoke(d, r);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(boost::json::parse(response.body).at("type").as_string(), "/problems/internal");
  EXPECT_NE(app_out.str().find("mapper broke"), std::string::npos);
}

TEST_F(PipelineTest, FailingMapperGives500ThroughRespondToo) {
  Pipeline fragile{router,
                   metrics,
                   nullptr,
                   capture_logger("app4", app_out),
                   [](std::exception_ptr) -> Response { throw std::logic_error("mapper broke"); },
                   ids};
  for (const char* path : {"/boom", "/async-boom"}) {
    auto r = request(path[1] == 'b' ? "GET" : "POST", path);
    const Dispatch d = fragile.dispatch(r);
    ASSERT_NE(d.route, nullptr) << path;
    const Response response = respond_now(fragile, d, r);
    EXPECT_EQ(response.status, 500) << path;
    EXPECT_EQ(boost::json::parse(response.body).at("type").as_string(), "/problems/internal") << path;
  }
}

TEST_F(PipelineTest, AsyncHandlerAnswersThroughRespond) {
  auto r = request("DELETE", "/things/9", "rid-async");
  const auto response = run(r);
  EXPECT_EQ(response.status, 204);
  EXPECT_EQ(header_of(response, "X-Request-Id"), "rid-async");
}

TEST_F(PipelineTest, SyncHandlerAnswersThroughRespondToo) {
  auto r = request("GET", "/things/5");
  const Dispatch d = pipeline.dispatch(r);
  const auto response = respond_now(pipeline, d, r);
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("\"id\":\"5\""), std::string::npos);
}

TEST_F(PipelineTest, AsyncAnswerMayComeLater) {
  auto r = request("POST", "/later");
  const Dispatch d = pipeline.dispatch(r);
  ASSERT_NE(d.route, nullptr);
  int calls = 0;
  Response response;
  pipeline.invoke(d, r, [&](Response answer) {
    ++calls;
    response = std::move(answer);
  });
  EXPECT_EQ(calls, 0) << "answered before the handler responded";
  ASSERT_TRUE(later);
  later(Response::json(201, "{\"id\":\"x\"}"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "{\"id\":\"x\"}");
}

TEST_F(PipelineTest, AsyncHandlerThrowingBeforeRespondingIsMapped) {
  auto missing = request("POST", "/async-missing");
  const auto not_found = run(missing);
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(boost::json::parse(not_found.body).at("detail").as_string(), "no such async thing");

  auto boom = request("POST", "/async-boom");
  const auto internal = run(boom);
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.content_type, "application/problem+json");
  EXPECT_EQ(boost::json::parse(internal.body).at("type").as_string(), "/problems/internal");
  EXPECT_EQ(internal.body.find("secret"), std::string::npos);
  // Operators still learn the cause.
  EXPECT_NE(app_out.str().find("secret async internals"), std::string::npos) << app_out.str();
}

TEST_F(PipelineTest, CountsRequestsByRouteMethodAndStatus) {
  auto a = request("GET", "/things/1");
  auto b = request("GET", "/things/2");
  auto c = request("GET", "/nowhere");
  run(a);
  run(b);
  run(c);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("http_requests_total{route=\"/things/{id}\",method=\"GET\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("http_requests_total{route=\"-\",method=\"GET\",status=\"404\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("http_request_duration_seconds_count{route=\"/things/{id}\"} 2\n"), std::string::npos) << text;
}

// A client picks the method: one outside HTTP's own would mint a new series per request.
TEST_F(PipelineTest, UnknownMethodsShareOneMetricLabel) {
  for (const char* method : {"ZZZ1", "ZZZ2", "get", ""}) {
    auto r = request(method, "/healthz");
    run(r);
  }
  auto head = request("HEAD", "/healthz");
  run(head);
  const std::string text = metrics.render();
  EXPECT_EQ(text.find("ZZZ"), std::string::npos) << text;
  EXPECT_EQ(text.find("method=\"get\""), std::string::npos) << text;
  EXPECT_NE(text.find("http_requests_total{route=\"-\",method=\"other\",status=\"405\"} 4\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("http_requests_total{route=\"/healthz\",method=\"HEAD\",status=\"200\"} 1\n"), std::string::npos)
      << text;
}

TEST_F(PipelineTest, WritesOneAccessLogLine) {
  auto r = request("GET", "/things/7", "rid-1");
  run(r);
  std::string line = access_out.str();
  ASSERT_FALSE(line.empty());
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto entry = boost::json::parse("{" + line + "}").as_object();
  EXPECT_EQ(entry.at("msg").as_string(), "access");
  EXPECT_EQ(entry.at("request_id").as_string(), "rid-1");
  EXPECT_EQ(entry.at("method").as_string(), "GET");
  EXPECT_EQ(entry.at("path").as_string(), "/things/7");
  EXPECT_EQ(entry.at("route").as_string(), "/things/{id}");
  EXPECT_EQ(entry.at("status").as_int64(), 200);
  EXPECT_NEAR(entry.at("duration_ms").to_number<double>(), 3.0, 1e-9);
  EXPECT_EQ(entry.at("remote").as_string(), "127.0.0.1:5555");
}

TEST_F(PipelineTest, AccessLogEscapesHostileInput) {
  auto r = request("GET", "/nowhere\"\n\x01\xff");
  run(r);
  std::string line = access_out.str();
  line.pop_back();
  const auto entry = boost::json::parse("{" + line + "}").as_object();
  EXPECT_EQ(entry.at("route").as_string(), "-");
  EXPECT_EQ(entry.at("status").as_int64(), 404);
}

TEST_F(PipelineTest, NoAccessLoggerIsFine) {
  Pipeline quiet{router, metrics, nullptr, capture_logger("app3", app_out), api::map_exception, ids};
  auto r = request("GET", "/things/1");
  const Dispatch d = quiet.dispatch(r);
  Response response = quiet.invoke(d, r);
  quiet.complete(r, response, &d, std::chrono::milliseconds(1));
  EXPECT_EQ(header_of(response, "X-Request-Id"), r.request_id);
}

}  // namespace
}  // namespace ninja::http
