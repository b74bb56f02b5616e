#include <boost/json/serialize.hpp>

#include "api/json_input.hpp"
#include "api/request_codec.hpp"
#include "api/request_context.hpp"
#include "api/resource_api.hpp"
#include "domain/representation.hpp"
#include "util/uuid.hpp"

namespace ninja::api {

void add_order_routes(http::Router& router, domain::OrderService& orders) {
  router.add_async("POST", "/v1/orders",
                   [&orders](const http::Request& request, const http::PathParams&, http::Respond respond) {
                     const auto idempotency = idempotency_context(request);
                     auto command = decode_create_order(parse_json_object(request));
                     orders.create(command, idempotency, respond_created(std::move(respond), "/v1/orders"));
                   });
  router.add_async(
      "GET", "/v1/orders", [&orders](const http::Request& request, const http::PathParams&, http::Respond respond) {
        auto query = page_query(request);
        std::optional<std::string> user_id;
        if (const auto* raw = single_query_param(request, "user_id")) {
          user_id = util::canonical_uuid(*raw);
          if (!user_id) throw BadQuery("user_id must be a UUID");
        }
        orders.list(std::move(query), std::move(user_id),
                    respond_with<domain::Page<domain::Order>>(std::move(respond), [](const auto& page) {
                      return page_response(
                          page, [](const domain::Order& o, auto storage) { return domain::to_json(o, storage); });
                    }));
      });
  router.add_async(
      "GET", "/v1/orders/{id}", [&orders](const http::Request&, const http::PathParams& params, http::Respond respond) {
        orders.get_json(path_id(params, "order"), respond_with<std::string>(std::move(respond), [](std::string& body) {
                          return http::Response::json(200, std::move(body));
                        }));
      });
  router.add_async("DELETE", "/v1/orders/{id}",
                   [&orders](const http::Request&, const http::PathParams& params, http::Respond respond) {
                     orders.remove(path_id(params, "order"), respond_deleted(std::move(respond)));
                   });
}

}  // namespace ninja::api
