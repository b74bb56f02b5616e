#include "api/notifications_api.hpp"

#include <boost/json/serialize.hpp>

#include "api/error_mapping.hpp"
#include "api/resource_api.hpp"
#include "domain/representation.hpp"

namespace ninja::api {

void add_notification_routes(http::Router& router, notify::DeliveryStore& deliveries, domain::OrderService& orders) {
  router.add_async(
      "GET", "/v1/orders/{id}/notifications",
      [&deliveries, &orders](const http::Request&, const http::PathParams& params, http::Respond respond) {
        std::string id = path_id(params, "order");
        deliveries.deliveries_for_order(id, [&orders, id, respond = std::move(respond)](
                                                std::vector<domain::Delivery> found, std::exception_ptr error) {
          if (error) return respond(map_exception(error));
          auto items = std::make_shared<boost::json::array>();
          for (const auto& d : found) items->push_back(domain::to_json(d));
          const auto body = [](const boost::json::array& list) {
            return http::Response::json(200, boost::json::serialize(boost::json::object{{"items", list}}));
          };
          if (!found.empty()) return respond(body(*items));
          // No deliveries yet (the relay has not got to it) is an empty list for an order that
          // exists, 404 for one that does not. A deleted order keeps its history.
          orders.get(
              id, respond_with<domain::Order>(respond, [items, body](const domain::Order&) { return body(*items); }));
        });
      });
}

}  // namespace ninja::api
