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

// Where a handler runs: `inline_io` on the I/O thread (cheap, never blocks: health, metrics);
// `worker` on the small pool for handlers that read the store; `writer` on the large pool for
// handlers that wait for a group commit. Writers spend their time parked on the commit, so that
// pool is sized for how many writes may share one commit, while the read pool stays near the
// core count to avoid context switches.
enum class Execution { inline_io, worker, writer };

struct Route {
  std::string method;
  std::string pattern;  // also the metrics/log label
  Handler handler;
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
  RouteResult match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace ninja::http
