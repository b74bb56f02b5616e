#include "http/router.hpp"

#include <boost/container/small_vector.hpp>

#include <stdexcept>

namespace ninja::http {
namespace {

// Our paths have at most a handful of segments: they stay on the stack.
using Segments = boost::container::small_vector<std::string_view, 8>;

Segments split_path(std::string_view path) {
  Segments out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  for (;;) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills `params` and returns true if `segments` fit the route's template.
bool fits(const Route& route, const Segments& segments, PathParams& params) {
  if (route.segments.size() != segments.size()) return false;
  params.values.clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& expected = route.segments[i];
    if (is_parameter(expected)) {
      if (segments[i].empty()) return false;
      params.values.emplace_back(std::string_view(expected).substr(1, expected.size() - 2), std::string(segments[i]));
    } else if (expected != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add_async(std::string method, std::string pattern, AsyncHandler handler) {
  add(std::move(method), std::move(pattern), Handler{});
  routes_.back().async_handler = std::move(handler);
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route pattern must start with '/'");
  Route route{std::move(method), std::move(pattern), std::move(handler), {}, {}};
  for (auto segment : split_path(route.pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

RouteResult Router::match(std::string_view method, std::string_view path) const {
  const auto segments = split_path(path);
  if (segments.empty()) return NotFound{};
  std::string allow;
  PathParams params;
  // HEAD is GET without the body (RFC 9110 §9.3.2): without a HEAD route of its own it runs the
  // GET route, and the server sends the head only. Wherever GET is allowed, so is HEAD.
  const Route* get_route = nullptr;
  PathParams get_params;
  auto add_allowed = [&allow](std::string_view allowed) {
    if (allow.find(allowed) != std::string::npos) return;
    if (!allow.empty()) allow += ", ";
    allow += allowed;
  };
  for (const auto& route : routes_) {
    if (!fits(route, segments, params)) continue;
    if (route.method == method) return RouteMatch{&route, std::move(params)};
    if (method == "HEAD" && route.method == "GET" && get_route == nullptr) {
      get_route = &route;
      get_params = params;
    }
    add_allowed(route.method);
    if (route.method == "GET") add_allowed("HEAD");
  }
  if (get_route != nullptr) return RouteMatch{get_route, std::move(get_params)};
  if (!allow.empty()) return MethodNotAllowed{std::move(allow)};
  return NotFound{};
}

}  // namespace ninja::http
