#pragma once
// Files embedded into the binary at build time (the console's and the /docs page's, built by npm;
// see cmake/console_assets.cmake). Light on purpose: only the static pages include it.
#include <span>
#include <string_view>

namespace ninja::api {

struct StaticAsset {
  std::string_view path;          // URL path, e.g. "/console/assets/index-3f2a.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view etag;          // strong, quoted: "\"<sha-256 prefix>\""
  std::string_view bytes;
};

// Every embedded file, sorted by path; generated at build time.
std::span<const StaticAsset> embedded_static_assets();

}  // namespace ninja::api
