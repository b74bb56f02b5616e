#include "api/notifications_api.hpp"

#include <boost/json/serialize.hpp>

#include "api/resource_api.hpp"
#include "domain/representation.hpp"

namespace ninja::api {

void add_notification_routes(http::Router& router, storage::DeliveryStore& deliveries, domain::OrderService& orders) {
  router.add("GET", "/v1/orders/{id}/notifications",
             [&deliveries, &orders](const http::Request&, const http::PathParams& params) {
               const std::string id = path_id(params, "order");
               const auto found = deliveries.deliveries_for_order(id);
               // No deliveries yet (the relay has not got to it) is an empty list for an order
               // that exists, 404 for one that does not. A deleted order keeps its history.
               if (found.empty()) orders.get(id);
               boost::json::array items;
               for (const auto& d : found) items.push_back(domain::to_json(d));
               return http::Response::json(200, boost::json::serialize(boost::json::object{{"items", items}}));
             });
}

}  // namespace ninja::api
