#pragma once
// /admin/v1: what the operator console needs beyond /v1 — dead letters and their replay, API keys
// (list, create, revoke) and a user by email. The gateway guards these paths before routing
// (http/admin_access.hpp); `serve` adds the routes, `lambda --handler api` does not (API Gateway
// would make them public). Every route waits on its store holding no thread.
#include <cstdint>
#include <functional>
#include <string>

#include "domain/api_key_store.hpp"
#include "domain/store.hpp"
#include "http/router.hpp"
#include "notify/delivery_store.hpp"

namespace ninja::api {

struct AdminPorts {
  notify::DeliveryStore& deliveries;
  domain::ApiKeyStore& api_keys;
  domain::Store& store;
  std::function<int64_t()> now_ms;
  std::function<std::string(size_t)> random_bytes;  // the entropy of new API keys
};

inline constexpr size_t kDefaultDeadLetters = 100;
inline constexpr size_t kMaxDeadLetters = 500;

// The routes keep `ports`; the stores it names must outlive the router.
void add_admin_routes(http::Router& router, AdminPorts ports);

}  // namespace ninja::api
