// Untrusted method + path → the router (every route shape the API has) and the paging parameters.
// Input: first line the method, second the path, then query pairs "name=value" one per line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/request_context.hpp"
#include "http/router.hpp"

namespace {

ninja::http::Router make_router() {
  using namespace ninja::http;
  Router router;
  const Handler ok = [](const Request&, const PathParams&) { return Response::empty(204); };
  for (const char* pattern : {"/v1/users", "/v1/orders"}) {
    router.add("GET", pattern, ok);
    router.add("POST", pattern, ok);
  }
  for (const char* pattern : {"/v1/users/{id}", "/v1/orders/{id}"}) {
    router.add("GET", pattern, ok);
    router.add("DELETE", pattern, ok);
  }
  for (const char* pattern : {"/v1/users/{id}/orders", "/v1/orders/{id}/notifications", "/healthz", "/readyz",
                              "/metrics", "/openapi.json"}) {
    router.add("GET", pattern, ok);
  }
  return router;
}

std::string_view next_line(std::string_view& rest) {
  const size_t end = rest.find('\n');
  const std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ninja::http::Router router = make_router();
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  ninja::http::Request request;
  request.method = std::string(next_line(rest));
  request.path = std::string(next_line(rest));
  while (!rest.empty()) {
    const std::string_view pair = next_line(rest);
    const size_t eq = pair.find('=');
    request.query.emplace_back(std::string(pair.substr(0, eq)),
                               eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
  }
  const auto result = router.match(request.method, request.path);
  if (const auto* match = std::get_if<ninja::http::RouteMatch>(&result)) {
    for (const auto& [name, value] : match->params.values) {
      if (value.empty() || value.find('/') != std::string::npos) __builtin_trap();  // one whole segment
    }
  }
  try {
    const auto page = ninja::api::page_query(request);
    if (page.limit < 1 || page.limit > ninja::api::kMaxPageSize) __builtin_trap();
  } catch (const ninja::api::BadQuery&) {
  }
  return 0;
}
