#include <boost/json/serialize.hpp>

#include "api/error_mapping.hpp"
#include "api/json_input.hpp"
#include "api/request_codec.hpp"
#include "api/request_context.hpp"
#include "api/resource_api.hpp"
#include "domain/errors.hpp"
#include "domain/representation.hpp"
#include "util/uuid.hpp"

namespace ninja::api {

void add_user_routes(http::Router& router, domain::UserService& users, domain::OrderService& orders) {
  // Creates decode, validate and queue their commit; the store's transaction decides on the
  // Idempotency-Key.
  router.add_async("POST", "/v1/users",
                   [&users](const http::Request& request, const http::PathParams&, http::Respond respond) {
                     const auto idempotency = idempotency_context(request);
                     auto command = decode_create_user(parse_json_object(request));
                     users.create(command, idempotency, respond_created(std::move(respond), "/v1/users"));
                   });
  router.add_async("GET", "/v1/users",
                   [&users](const http::Request& request, const http::PathParams&, http::Respond respond) {
                     users.list(page_query(request),
                                respond_with<domain::Page<domain::User>>(std::move(respond), [](const auto& page) {
                                  return page_response(page, [](const domain::User& u, auto storage) {
                                    return domain::to_json(u, domain::SecretVisibility::hidden, storage);
                                  });
                                }));
                   });
  router.add_async(
      "GET", "/v1/users/{id}", [&users](const http::Request&, const http::PathParams& params, http::Respond respond) {
        users.get(path_id(params, "user"), respond_with<domain::User>(std::move(respond), [](const domain::User& user) {
                    return rendered_response(
                        [&](auto storage) { return domain::to_json(user, domain::SecretVisibility::hidden, storage); });
                  }));
      });
  router.add_async("DELETE", "/v1/users/{id}",
                   [&users](const http::Request&, const http::PathParams& params, http::Respond respond) {
                     users.remove(path_id(params, "user"), respond_deleted(std::move(respond)));
                   });
  router.add_async(
      "GET", "/v1/users/{id}/orders",
      [&users, &orders](const http::Request& request, const http::PathParams& params, http::Respond respond) {
        auto query = page_query(request);
        // 404 for an unknown user, an empty page for a user without orders.
        users.get(path_id(params, "user"), [&orders, query = std::move(query), respond = std::move(respond)](
                                               const domain::User& user, std::exception_ptr error) mutable {
          if (error) return respond(map_exception(error));
          orders.list(std::move(query), user.id,
                      respond_with<domain::Page<domain::Order>>(std::move(respond), [](const auto& page) {
                        return page_response(
                            page, [](const domain::Order& o, auto storage) { return domain::to_json(o, storage); });
                      }));
        });
      });
}

}  // namespace ninja::api
