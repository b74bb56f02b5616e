#pragma once
// Method + path-template routing ("/v1/users/{id}/orders"). Unknown paths are 404; a known path
// with another method is 405 with the allowed methods.
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/message.hpp"

namespace ninja::http {

// Every handler runs on the connection's I/O thread and must never block. One that answers at
// once is a Handler (health, metrics); one that asks the store or the bus is an AsyncHandler,
// which starts the work and returns: the request then waits holding no thread, and the response
// comes back, from whatever thread completed the work, through `respond`.
using Handler = std::function<Response(const Request&, const PathParams&)>;

// Hands a response back to the server: callable from any thread, exactly once.
using Respond = std::function<void(Response)>;
// It must call `respond` once, or throw before calling it.
using AsyncHandler = std::function<void(const Request&, const PathParams&, Respond respond)>;

struct Route {
  std::string method;
  std::string pattern;                // also the metrics/log label
  Handler handler;                    // exactly one of handler
  AsyncHandler async_handler;         // and async_handler is set
  std::vector<std::string> segments;  // pattern split at '/'; "{x}" marks a parameter
};

struct RouteMatch {
  const Route* route;
  PathParams params;
};
struct NotFound {};
struct MethodNotAllowed {
  std::string allow;  // e.g. "GET, DELETE"
};
using RouteResult = std::variant<RouteMatch, NotFound, MethodNotAllowed>;

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  void add_async(std::string method, std::string pattern, AsyncHandler handler);
  RouteResult match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace ninja::http
