#include "api/ops_api.hpp"

#include "http/problem.hpp"

namespace ninja::api {

namespace {
// Every 503 says when to come back (the document requires Retry-After on them all): a draining
// server is gone by then, and a store or bus that did not answer is worth asking again.
http::Response not_ready(std::string_view detail) {
  http::Response response = http::problem(503, "not-ready", "Not ready", detail);
  response.with_header("Retry-After", "1");
  return response;
}
}  // namespace

void add_ops_routes(http::Router& router, const util::MetricsRegistry* metrics, domain::Store& store,
                    const std::atomic<bool>& draining, events::Bus* bus) {
  router.add("GET", "/healthz", [](const http::Request&, const http::PathParams&) {
    return http::Response::json(200, R"({"status":"ok"})");
  });
  router.add_async("GET", "/readyz",
                   [&store, &draining, bus](const http::Request&, const http::PathParams&, http::Respond respond) {
                     if (draining.load()) {
                       return respond(not_ready("the server is shutting down"));
                     }
                     store.ready([bus, respond = std::move(respond)](bool ready, const std::exception_ptr& error) {
                       if (error || !ready) {
                         return respond(not_ready("the store does not answer"));
                       }
                       if (bus && !bus->ready()) {
                         return respond(not_ready("the event bus does not answer"));
                       }
                       respond(http::Response::json(200, R"({"status":"ready"})"));
                     });
                   });
  // Gauges read only what is in memory (the relay keeps its outbox lag up to date), so rendering
  // never waits on the store.
  if (metrics) {
    router.add("GET", "/metrics", [metrics](const http::Request&, const http::PathParams&) {
      return http::Response::text(200, "text/plain; version=0.0.4; charset=utf-8", metrics->render());
    });
  }
  router.add("GET", "/openapi.json", [](const http::Request&, const http::PathParams&) {
    return http::Response::json(200, std::string(openapi_document()));
  });
}

}  // namespace ninja::api
