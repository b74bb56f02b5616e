#include "app/api_services.hpp"

#include "api/notifications_api.hpp"
#include "api/resource_api.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace ninja::app {

ApiServices::ApiServices(storage::Storage& storage, util::UuidV7Generator& ids, int64_t idempotency_ttl_ms)
    : storage_(storage),
      creates_(util::system_millis, in_flight_, idempotency_ttl_ms),
      users_(*storage.store, ids, creates_, [] { return domain::format_webhook_secret(util::random_bytes(32)); }),
      orders_(*storage.store, ids, creates_) {}

void ApiServices::add_routes(http::Router& router) {
  api::add_user_routes(router, users_, orders_);
  api::add_order_routes(router, orders_);
  api::add_notification_routes(router, *storage_.deliveries, orders_);
}

}  // namespace ninja::app
