#pragma once
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/error_mapping.hpp"
#include "api/request_context.hpp"

namespace ninja::api {

template <class T, class MakeResponse>
util::Completion<T> respond_with(http::Respond respond, MakeResponse make) {
  return [respond = std::move(respond), make = std::move(make)](T result, std::exception_ptr error) {
    if (error) return respond(map_exception(error));
    http::Response response;
    try {
      response = make(result);
    } catch (...) {
      response = map_exception(std::current_exception());
    }
    respond(std::move(response));
  };
}

// A 200 with the JSON that `render(storage)` builds: the tree lives in an arena on the stack, so
// the text is the only allocation (this runs for every GET of one entity).
template <class Render>
http::Response rendered_response(Render render) {
  unsigned char buffer[4096];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  return http::Response::json(200, boost::json::serialize(render(boost::json::storage_ptr(&arena))));
}

// A page of entities; `to_json(entity, storage)` renders one.
template <class T, class Render>
http::Response page_response(const domain::Page<T>& page, Render to_json) {
  unsigned char buffer[16384];  // a page of small entities; larger ones spill into bigger blocks
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::json::array items(&arena);
  items.reserve(page.items.size());
  for (const auto& item : page.items) items.push_back(to_json(item, &arena));
  boost::json::object body(&arena);
  body["items"] = std::move(items);
  if (page.has_more && !page.items.empty()) {
    body["next_cursor"] = encode_cursor(page.items.back().id);
  } else {
    body["next_cursor"] = nullptr;
  }
  return http::Response::json(200, boost::json::serialize(body));
}

}  // namespace ninja::api
