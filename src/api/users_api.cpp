#include <boost/json/serialize.hpp>

#include "api/json_input.hpp"
#include "api/request_codec.hpp"
#include "api/request_context.hpp"
#include "api/resource_api.hpp"
#include "domain/errors.hpp"
#include "domain/representation.hpp"
#include "util/uuid.hpp"

namespace ninja::api {


void add_user_routes(http::Router& router, domain::UserService& users, domain::OrderService& orders) {
  router.add_async("POST", "/v1/users",
                   [&users](const http::Request& request, const http::PathParams&, http::Respond respond) {
                     const auto idempotency = idempotency_context(request);
                     auto command = decode_create_user(parse_json_object(request));
                     users.create(command, idempotency, respond_created(std::move(respond), "/v1/users"));
                   },
                   // Creates never block (decode, validate, queue the commit), so they skip the
                   // worker hop; the store's transaction decides on the Idempotency-Key.
                   http::Execution::inline_io);
  router.add("GET", "/v1/users", [&users](const http::Request& request, const http::PathParams&) {
    return page_response(users.list(page_query(request)), [](const domain::User& u) { return domain::to_json(u); });
  });
  router.add("GET", "/v1/users/{id}", [&users](const http::Request&, const http::PathParams& params) {
    return http::Response::json(200, boost::json::serialize(domain::to_json(users.get(path_id(params, "user")))));
  });
  router.add_async("DELETE", "/v1/users/{id}",
                   [&users](const http::Request&, const http::PathParams& params, http::Respond respond) {
                     users.remove(path_id(params, "user"), respond_deleted(std::move(respond)));
                   });
  router.add("GET", "/v1/users/{id}/orders",
             [&users, &orders](const http::Request& request, const http::PathParams& params) {
               const auto query = page_query(request);
               const auto user = users.get(path_id(params, "user"));
               return page_response(orders.list(query, user.id),
                                    [](const domain::Order& o) { return domain::to_json(o); });
             });
}

}  // namespace ninja::api
