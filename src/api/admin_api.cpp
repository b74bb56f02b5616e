#include "api/admin_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <memory>

#include "api/json_input.hpp"
#include "api/request_context.hpp"
#include "api/resource_api.hpp"
#include "domain/errors.hpp"
#include "domain/representation.hpp"
#include "domain/validation.hpp"
#include "util/uuid.hpp"

namespace ninja::api {
namespace {

using Ports = std::shared_ptr<const AdminPorts>;

http::Response items_response(boost::json::array items) {
  return http::Response::json(200, boost::json::serialize(boost::json::object{{"items", std::move(items)}}));
}

http::Response requeued_response(size_t requeued) {
  return http::Response::json(200, boost::json::serialize(boost::json::object{{"requeued", requeued}}));
}

// {"name", "rate"?, "burst"?}: every type error and every rule of domain::validate_api_key, by field.
struct NewApiKey {
  std::string name;
  std::optional<double> rate;
  std::optional<double> burst;
};

NewApiKey decode_new_api_key(const boost::json::object& body) {
  std::vector<domain::FieldError> decode_errors;
  ObjectReader reader(body, "", decode_errors, {"name", "rate", "burst"});
  NewApiKey key;
  const auto name = reader.string("name", true);
  key.rate = reader.number("rate", false);
  key.burst = reader.number("burst", false);
  if (name) key.name = *name;
  auto rule_errors = domain::validate_api_key(key.name, key.rate, key.burst);
  auto errors = merge_errors(std::move(decode_errors), std::move(rule_errors));
  if (!errors.empty()) throw domain::ValidationError(std::move(errors));
  return key;
}

// An API key id as issued (16 lower-case hex digits); anything else names no key.
bool is_api_key_id(std::string_view id) {
  return id.size() == 16 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void add_dead_letter_routes(http::Router& router, const Ports& ports) {
  router.add_async("GET", "/admin/v1/dead-letters",
                   [ports](const http::Request& request, const http::PathParams&, http::Respond respond) {
                     const size_t limit = limit_param(request, kDefaultDeadLetters, kMaxDeadLetters);
                     ports->deliveries.dead_deliveries(
                         limit, respond_with<std::vector<domain::Delivery>>(std::move(respond), [](const auto& dead) {
                           boost::json::array items;
                           items.reserve(dead.size());
                           for (const auto& d : dead) items.push_back(domain::dead_letter_to_json(d));
                           return items_response(std::move(items));
                         }));
                   });
  router.add_async("POST", "/admin/v1/dead-letters/replay",
                   [ports](const http::Request&, const http::PathParams&, http::Respond respond) {
                     ports->deliveries.requeue_dead(std::nullopt, ports->now_ms(),
                                                    respond_with<size_t>(std::move(respond), requeued_response));
                   });
  router.add_async("POST", "/admin/v1/dead-letters/{event_id}/replay",
                   [ports](const http::Request&, const http::PathParams& params, http::Respond respond) {
                     const auto event_id = util::canonical_uuid(params.get("event_id"));  // event ids are UUIDs
                     if (!event_id) throw domain::NotFound("no dead notification for that event");
                     ports->deliveries.requeue_dead(*event_id, ports->now_ms(),
                                                    respond_with<size_t>(std::move(respond), [](size_t requeued) {
                                                      if (requeued == 0)
                                                        throw domain::NotFound("no dead notification for that event");
                                                      return requeued_response(requeued);
                                                    }));
                   });
}

void add_api_key_routes(http::Router& router, const Ports& ports) {
  router.add_async("GET", "/admin/v1/api-keys",
                   [ports](const http::Request&, const http::PathParams&, http::Respond respond) {
                     ports->api_keys.list_api_keys(
                         respond_with<std::vector<domain::ApiKey>>(std::move(respond), [](const auto& keys) {
                           boost::json::array items;
                           items.reserve(keys.size());
                           for (const auto& key : keys) items.push_back(domain::to_json(key));
                           return items_response(std::move(items));
                         }));
                   });
  router.add_async("POST", "/admin/v1/api-keys",
                   [ports](const http::Request& request, const http::PathParams&, http::Respond respond) {
                     auto wanted = decode_new_api_key(parse_json_object(request));
                     auto issued = std::make_shared<domain::IssuedApiKey>(domain::issue_api_key(
                         std::move(wanted.name), wanted.rate, wanted.burst, ports->now_ms(), ports->random_bytes));
                     ports->api_keys.add_api_key(
                         issued->key, [issued, respond = std::move(respond)](std::exception_ptr error) {
                           if (error) return respond(map_exception(error));
                           auto shown = domain::to_json(issued->key);
                           shown["key"] = issued->secret;  // shown this once: only its hash is stored
                           auto response = http::Response::json(201, boost::json::serialize(shown));
                           response.with_header("Cache-Control", "no-store");
                           respond(std::move(response));
                         });
                   });
  router.add_async("DELETE", "/admin/v1/api-keys/{id}",
                   [ports](const http::Request&, const http::PathParams& params, http::Respond respond) {
                     std::string id(params.get("id"));
                     if (!is_api_key_id(id)) throw domain::NotFound("no API key with that id");
                     ports->api_keys.revoke_api_key(std::move(id), ports->now_ms(),
                                                    respond_with<bool>(std::move(respond), [](bool revoked) {
                                                      if (!revoked) throw domain::NotFound("no API key with that id");
                                                      return http::Response::empty(204);
                                                    }));
                   });
}

void add_user_search_route(http::Router& router, const Ports& ports) {
  router.add_async("GET", "/admin/v1/users",
                   [ports](const http::Request& request, const http::PathParams&, http::Respond respond) {
                     const auto* email = single_query_param(request, "email");
                     if (!email || email->empty()) throw BadQuery("email is required: /admin/v1/users?email=…");
                     // Longer than any stored email: no user has it.
                     if (email->size() > domain::kMaxEmailBytes) return respond(items_response({}));
                     ports->store.find_user_by_email(
                         *email, respond_with<std::optional<domain::User>>(std::move(respond), [](const auto& user) {
                           boost::json::array items;
                           if (user) items.push_back(domain::to_json(*user, domain::SecretVisibility::hidden));
                           return items_response(std::move(items));
                         }));
                   });
}

}  // namespace

void add_admin_routes(http::Router& router, AdminPorts ports) {
  const auto shared = std::make_shared<const AdminPorts>(std::move(ports));
  add_dead_letter_routes(router, shared);
  add_api_key_routes(router, shared);
  add_user_search_route(router, shared);
}

}  // namespace ninja::api
