#include "api/ops_api.hpp"

#include "http/problem.hpp"

namespace ninja::api {

void add_ops_routes(http::Router& router, const util::MetricsRegistry& metrics, storage::Store& store,
                    const std::atomic<bool>& draining, events::Bus* bus) {
  router.add(
      "GET", "/healthz",
      [](const http::Request&, const http::PathParams&) { return http::Response::json(200, R"({"status":"ok"})"); },
      http::Execution::inline_io);
  // On a worker: asking the store may block.
  router.add("GET", "/readyz", [&store, &draining, bus](const http::Request&, const http::PathParams&) {
    if (draining.load()) return http::problem(503, "not-ready", "Not ready", "the server is shutting down");
    if (!store.ready()) return http::problem(503, "not-ready", "Not ready", "the store does not answer");
    if (bus && !bus->ready()) return http::problem(503, "not-ready", "Not ready", "the event bus does not answer");
    return http::Response::json(200, R"({"status":"ready"})");
  });
  router.add(
      "GET", "/metrics",
      [&metrics](const http::Request&, const http::PathParams&) {
        return http::Response::text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
      },
      // Some gauges (outbox lag) read the store: keep them off the I/O threads.
      http::Execution::worker);
  router.add(
      "GET", "/openapi.json",
      [](const http::Request&, const http::PathParams&) {
        return http::Response::json(200, std::string(openapi_document()));
      },
      http::Execution::inline_io);
}

}  // namespace ninja::api
