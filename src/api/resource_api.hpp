#pragma once
// The /v1 routes of users and orders.
#include "domain/order_service.hpp"
#include "domain/user_service.hpp"
#include "http/router.hpp"

namespace ninja::api {

void add_user_routes(http::Router& router, domain::UserService& users, domain::OrderService& orders);
void add_order_routes(http::Router& router, domain::OrderService& orders);

// A 201 for a (possibly replayed) create: body, Location, and Idempotent-Replayed on replays.
http::Response created(const domain::CreateResult& result, std::string_view collection);

// Completions that answer a create with `created` (or the mapped error) and a delete with 204.
domain::CreateDone respond_created(http::Respond respond, std::string collection);
std::function<void(std::exception_ptr)> respond_deleted(http::Respond respond);

// The canonical id of the {id} path parameter; throws NotFound when it is not a UUID (such an id
// cannot exist).
std::string path_id(const http::PathParams& params, std::string_view what);

// A completion that answers with `make(result)` (a Response), or the mapped error.
template <class T, class MakeResponse>
util::Completion<T> respond_with(http::Respond respond, MakeResponse make);

// {"items":[…],"next_cursor":…} for one page, rendering each item with `to_json`.
template <class T, class Render>
http::Response page_response(const domain::Page<T>& page, Render to_json);

}  // namespace ninja::api

#include "api/resource_api_impl.hpp"
