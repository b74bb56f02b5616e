#pragma once
#include <boost/json/array.hpp>
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

template <class T, class Render>
http::Response page_response(const domain::Page<T>& page, Render to_json) {
  boost::json::array items;
  items.reserve(page.items.size());
  for (const auto& item : page.items) items.push_back(to_json(item));
  boost::json::object body;
  body["items"] = std::move(items);
  if (page.has_more && !page.items.empty()) {
    body["next_cursor"] = encode_cursor(page.items.back().id);
  } else {
    body["next_cursor"] = nullptr;
  }
  return http::Response::json(200, boost::json::serialize(body));
}

}  // namespace ninja::api
