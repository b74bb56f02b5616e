#pragma once
// The /v1 API's services on one store, and the routes that reach them: what `serve` (behind its
// HTTP server) and `lambda --handler api` (behind API Gateway) both answer with.
#include <cstdint>

#include "domain/idempotent_create.hpp"
#include "domain/in_flight_keys.hpp"
#include "domain/order_service.hpp"
#include "domain/user_service.hpp"
#include "http/router.hpp"
#include "storage/open_storage.hpp"
#include "util/uuid.hpp"

namespace ninja::app {

class ApiServices {
 public:
  // `storage` and `ids` must outlive this; the routes added by add_routes() must not outlive it.
  ApiServices(storage::Storage& storage, util::UuidV7Generator& ids, int64_t idempotency_ttl_ms);
  ApiServices(const ApiServices&) = delete;
  ApiServices& operator=(const ApiServices&) = delete;

  // The users, orders and notifications routes of /v1.
  void add_routes(http::Router& router);

 private:
  storage::Storage& storage_;
  domain::InFlightKeys in_flight_;
  domain::IdempotentCreate creates_;
  domain::UserService users_;
  domain::OrderService orders_;
};

}  // namespace ninja::app
