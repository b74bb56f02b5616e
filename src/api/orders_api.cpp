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
                   },
                   // Creates never block (decode, validate, queue the commit), so they skip the
                   // worker hop; the store's transaction decides on the Idempotency-Key.
                   http::Execution::inline_io);
  router.add("GET", "/v1/orders", [&orders](const http::Request& request, const http::PathParams&) {
    const auto query = page_query(request);
    std::optional<std::string> user_id;
    if (const auto* raw = single_query_param(request, "user_id")) {
      user_id = util::canonical_uuid(*raw);
      if (!user_id) throw BadQuery("user_id must be a UUID");
    }
    return page_response(orders.list(query, user_id ? std::optional<std::string_view>(*user_id) : std::nullopt),
                         [](const domain::Order& o) { return domain::to_json(o); });
  });
  router.add("GET", "/v1/orders/{id}", [&orders](const http::Request&, const http::PathParams& params) {
    return http::Response::json(200, boost::json::serialize(domain::to_json(orders.get(path_id(params, "order")))));
  });
  router.add_async("DELETE", "/v1/orders/{id}",
                   [&orders](const http::Request&, const http::PathParams& params, http::Respond respond) {
                     orders.remove(path_id(params, "order"), respond_deleted(std::move(respond)));
                   });
}

}  // namespace ninja::api
