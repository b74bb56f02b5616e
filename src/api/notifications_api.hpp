#pragma once
// GET /v1/orders/{id}/notifications: where each notification of an order stands.
#include "domain/order_service.hpp"
#include "http/router.hpp"
#include "notify/delivery_store.hpp"

namespace ninja::api {

void add_notification_routes(http::Router& router, notify::DeliveryStore& deliveries, domain::OrderService& orders);

}  // namespace ninja::api
