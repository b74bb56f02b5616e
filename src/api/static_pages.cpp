#include "api/static_pages.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/problem.hpp"

namespace ninja::api {
namespace {

// Scripts and styles from this origin only: the pages have no inline script. Swagger UI sets
// inline styles and draws data: images, so /docs allows those; the console needs neither.
constexpr std::string_view kConsolePolicy =
    "default-src 'self'; img-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
constexpr std::string_view kDocsPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// Vite names every file under assets/ after its content: a new build is a new URL.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
// Everything else (index.html, the docs files) is revalidated, which costs a 304 when unchanged.
constexpr std::string_view kRevalidate = "no-cache";

using AssetIndex = std::unordered_map<std::string_view, const StaticAsset*>;

// If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity tags, compared weakly (W/ ignored).
bool none_match(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

http::Response not_found(std::string_view path) {
  return http::problem(404, "not-found", "Not found", "no such file: " + std::string(path));
}

struct Policy {
  std::string_view csp;
  std::string_view cache_control;
};

http::Response serve(const AssetIndex& index, std::string_view path, const http::Request& request, Policy policy) {
  const auto found = index.find(path);
  if (found == index.end()) return not_found(request.path);
  const StaticAsset& asset = *found->second;
  const bool unchanged = none_match(request.header("if-none-match"), asset.etag);
  http::Response response = unchanged
                                ? http::Response::empty(304)
                                : http::Response::text(200, std::string(asset.content_type), std::string(asset.bytes));
  response.with_header("ETag", std::string(asset.etag))
      .with_header("Cache-Control", std::string(policy.cache_control))
      .with_header("Content-Security-Policy", std::string(policy.csp))
      .with_header("X-Content-Type-Options", "nosniff")
      .with_header("Referrer-Policy", "same-origin");
  return response;
}

// /console → /console/: the pages' relative URLs resolve under the folder. The query goes along.
void add_redirect(http::Router& router, const std::string& from) {
  router.add("GET", from, [from](const http::Request& request, const http::PathParams&) {
    const size_t query = request.target.find('?');
    std::string location = from + "/";
    if (query != std::string::npos) location += request.target.substr(query);
    return http::Response::empty(301).with_header("Location", std::move(location));
  });
}

// `folder` ("/console") serves its index.html at folder + "/", its files at folder + "/{file}".
void add_folder(http::Router& router, const std::shared_ptr<const AssetIndex>& index, const std::string& folder,
                std::string_view csp) {
  add_redirect(router, folder);
  router.add("GET", folder + "/", [index, folder, csp](const http::Request& request, const http::PathParams&) {
    return serve(*index, folder + "/index.html", request, {csp, kRevalidate});
  });
  router.add("GET", folder + "/{file}", [index, folder, csp](const http::Request& request, const http::PathParams& p) {
    return serve(*index, folder + "/" + std::string(p.get("file")), request, {csp, kRevalidate});
  });
}

}  // namespace

void add_static_pages(http::Router& router, std::span<const StaticAsset> assets) {
  auto index = std::make_shared<AssetIndex>();
  for (const StaticAsset& asset : assets) index->emplace(asset.path, &asset);
  const std::shared_ptr<const AssetIndex> shared = std::move(index);

  add_folder(router, shared, "/console", kConsolePolicy);
  router.add("GET", "/console/assets/{file}", [shared](const http::Request& request, const http::PathParams& p) {
    return serve(*shared, "/console/assets/" + std::string(p.get("file")), request, {kConsolePolicy, kImmutable});
  });
  add_folder(router, shared, "/docs", kDocsPolicy);
}

void add_static_pages(http::Router& router) { add_static_pages(router, embedded_static_assets()); }

}  // namespace ninja::api
