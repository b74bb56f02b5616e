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

using Handler = std::function<Response(const Request&, const PathParams&)>;

// Hands a response back to the server: callable from any thread, exactly once.
using Respond = std::function<void(Response)>;
// A handler whose response may come later (after a group commit): it must call `respond` once,
// or throw before calling it.
using AsyncHandler = std::function<void(const Request&, const PathParams&, Respond respond)>;

// Where a handler runs: `inline_io` on the I/O thread (never blocks: health, metrics, and creates,
// which only queue their commit), or `worker` on the worker pool (anything that reads the store).
// The pool stays near the core count: waiting for a commit holds no thread (AsyncHandler), so more
// threads would only add context switches.
enum class Execution { inline_io, worker };

struct Route {
  std::string method;
  std::string pattern;  // also the metrics/log label
  Handler handler;              // exactly one of handler
  AsyncHandler async_handler;   // and async_handler is set
  Execution execution = Execution::worker;
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
  void add(std::string method, std::string pattern, Handler handler, Execution execution = Execution::worker);
  void add_async(std::string method, std::string pattern, AsyncHandler handler,
                 Execution execution = Execution::worker);
  RouteResult match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace ninja::http
