#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "api/static_pages.hpp"

namespace ninja::api {
namespace {

const StaticAsset kAssets[] = {
    {"/console/index.html", "text/html; charset=utf-8", "\"c1\"", "<!doctype html>console"},
    {"/console/favicon.svg", "image/svg+xml", "\"c2\"", "<svg/>"},
    {"/console/assets/index-abc123.js", "text/javascript; charset=utf-8", "\"c3\"", "console.log(1)"},
    {"/docs/index.html", "text/html; charset=utf-8", "\"d1\"", "<!doctype html>docs"},
    {"/docs/swagger-ui.css", "text/css; charset=utf-8", "\"d2\"", ".swagger-ui{}"},
};

std::optional<std::string> header(const http::Response& response, std::string_view name) {
  for (const auto& h : response.headers) {
    if (h.name == name) return h.value;
  }
  return std::nullopt;
}

class StaticPagesTest : public ::testing::Test {
 protected:
  StaticPagesTest() { add_static_pages(router, kAssets); }

  http::Response get(std::string_view target, std::vector<http::Header> headers = {}, std::string_view method = "GET") {
    http::Request request;
    request.method = std::string(method);
    request.target = std::string(target);
    request.path = std::string(target.substr(0, target.find('?')));
    for (auto& h : headers) request.headers.push_back(std::move(h));
    auto result = router.match(method, request.path);
    if (std::holds_alternative<http::NotFound>(result)) return http::Response::empty(-404);  // no route at all
    auto* match = std::get_if<http::RouteMatch>(&result);
    if (!match) return http::Response::empty(-405);
    return match->route->handler(request, match->params);
  }

  http::Router router;
};

TEST_F(StaticPagesTest, FoldersRedirectToTheirSlashKeepingTheQuery) {
  for (const std::string folder : {"/console", "/docs"}) {
    auto r = get(folder);
    EXPECT_EQ(r.status, 301);
    EXPECT_EQ(header(r, "Location"), folder + "/");
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(header(get(folder + "?a=1&b"), "Location"), folder + "/?a=1&b");
  }
}

TEST_F(StaticPagesTest, TheSlashServesTheIndexRevalidated) {
  auto r = get("/console/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<!doctype html>console");
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(r, "ETag"), "\"c1\"");
  EXPECT_EQ(get("/docs/").body, "<!doctype html>docs");
  EXPECT_EQ(get("/console/index.html").body, "<!doctype html>console");
}

TEST_F(StaticPagesTest, HashedAssetsAreImmutableOtherFilesRevalidated) {
  auto asset = get("/console/assets/index-abc123.js");
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(asset.body, "console.log(1)");
  EXPECT_EQ(header(asset, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(get("/console/favicon.svg"), "Cache-Control"), "no-cache");
  EXPECT_EQ(header(get("/docs/swagger-ui.css"), "Cache-Control"), "no-cache");
}

TEST_F(StaticPagesTest, EverythingCarriesThePolicyAndNosniff) {
  for (const char* path : {"/console/", "/console/assets/index-abc123.js", "/docs/", "/docs/swagger-ui.css"}) {
    auto r = get(path);
    const auto csp = header(r, "Content-Security-Policy");
    ASSERT_TRUE(csp) << path;
    EXPECT_EQ(csp->rfind("default-src 'self';", 0), 0u) << *csp;
    EXPECT_NE(csp->find("object-src 'none'"), std::string::npos);
    EXPECT_EQ(csp->find("script-src"), std::string::npos) << "scripts fall back to default-src 'self'";
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << path;
  }
  // Swagger UI needs inline styles and data: images; the console needs neither.
  EXPECT_NE(header(get("/docs/"), "Content-Security-Policy")->find("style-src 'self' 'unsafe-inline'"),
            std::string::npos);
  EXPECT_EQ(header(get("/console/"), "Content-Security-Policy")->find("unsafe-inline"), std::string::npos);
}

TEST_F(StaticPagesTest, IfNoneMatchAnswers304WithoutBody) {
  for (const char* tag : {"\"c3\"", "W/\"c3\"", "\"x\", \"c3\"", " \"x\" ,\t\"c3\" ", "*"}) {
    auto r = get("/console/assets/index-abc123.js", {{"if-none-match", tag}});
    EXPECT_EQ(r.status, 304) << tag;
    EXPECT_TRUE(r.body.empty());
    EXPECT_TRUE(r.content_type.empty());
    EXPECT_EQ(header(r, "ETag"), "\"c3\"");
    EXPECT_EQ(header(r, "Cache-Control"), "public, max-age=31536000, immutable");
  }
  for (const char* tag : {"\"c1\"", "c3", "\"c3", "", ","}) {
    EXPECT_EQ(get("/console/assets/index-abc123.js", {{"if-none-match", tag}}).status, 200) << tag;
  }
}

TEST_F(StaticPagesTest, UnknownFilesAre404Problems) {
  for (const char* path : {"/console/assets/missing.js", "/console/missing.txt", "/docs/missing.js", "/docs/index.htm",
                           "/console/assets/..", "/docs/%2e%2e"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.content_type, "application/problem+json") << path;
    EXPECT_NE(r.body.find("/problems/not-found"), std::string::npos);
  }
  // Deeper paths have no route at all: the router's own 404.
  EXPECT_EQ(get("/console/assets/a/b.js").status, -404);
  EXPECT_EQ(get("/docs/a/b").status, -404);
}

TEST_F(StaticPagesTest, HeadRunsTheGetRouteAndOtherMethodsAre405) {
  auto result = router.match("HEAD", "/console/assets/index-abc123.js");
  ASSERT_TRUE(std::holds_alternative<http::RouteMatch>(result));
  auto other = router.match("POST", "/docs/");
  ASSERT_TRUE(std::holds_alternative<http::MethodNotAllowed>(other));
  EXPECT_EQ(std::get<http::MethodNotAllowed>(other).allow, "GET, HEAD");
}

TEST_F(StaticPagesTest, WithoutAnIndexTheSlashIs404) {
  http::Router bare;
  add_static_pages(bare, std::span<const StaticAsset>{});
  auto result = bare.match("GET", "/console/");
  auto* match = std::get_if<http::RouteMatch>(&result);
  ASSERT_NE(match, nullptr);
  EXPECT_EQ(match->route->handler(http::Request{}, match->params).status, 404);
}

// The binary's own files: what npm built is embedded, under the paths the pages link to.
TEST(EmbeddedStaticAssets, HoldTheConsoleAndTheDocs) {
  const auto assets = embedded_static_assets();
  auto find = [&](std::string_view path) {
    return std::find_if(assets.begin(), assets.end(), [&](const StaticAsset& a) { return a.path == path; });
  };
  for (const char* path : {"/console/index.html", "/docs/index.html", "/docs/docs.js", "/docs/swagger-ui-bundle.js",
                           "/docs/swagger-ui.css"}) {
    auto it = find(path);
    ASSERT_NE(it, assets.end()) << path;
    EXPECT_FALSE(it->bytes.empty()) << path;
    EXPECT_EQ(it->etag.front(), '"');
    EXPECT_EQ(it->etag.back(), '"');
  }
  const std::string_view index = find("/console/index.html")->bytes;
  EXPECT_NE(index.find("/console/assets/"), std::string_view::npos);
  EXPECT_EQ(index.find("<script>"), std::string_view::npos) << "no inline script: the CSP forbids it";
  // Every asset the index links to is embedded, with the type its extension says.
  size_t at = 0;
  int linked = 0;
  while ((at = index.find("/console/assets/", at)) != std::string_view::npos) {
    const std::string_view rest = index.substr(at);
    const std::string_view path = rest.substr(0, rest.find('"'));
    auto it = find(path);
    ASSERT_NE(it, assets.end()) << path;
    EXPECT_EQ(it->content_type, path.ends_with(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8")
        << path;
    ++linked;
    at += path.size();
  }
  EXPECT_GE(linked, 2);
  EXPECT_TRUE(std::is_sorted(assets.begin(), assets.end(),
                             [](const StaticAsset& a, const StaticAsset& b) { return a.path < b.path; }));
}

}  // namespace
}  // namespace ninja::api
