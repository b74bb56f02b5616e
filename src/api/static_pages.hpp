#pragma once
// The operator console (/console/) and the API reference (/docs/): files embedded at build time,
// served with ETags, long caching for hashed assets, and a Content-Security-Policy. Never behind
// the API key: they are static, and the data they fetch is protected on its own routes.
#include <span>

#include "api/static_assets.hpp"
#include "http/router.hpp"

namespace ninja::api {

// The embedded files (embedded_static_assets()).
void add_static_pages(http::Router& router);

// The same over any set of files whose paths start with /console/ or /docs/ (tests).
void add_static_pages(http::Router& router, std::span<const StaticAsset> assets);

}  // namespace ninja::api
