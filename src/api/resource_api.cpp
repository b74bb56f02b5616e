#include "api/resource_api.hpp"

#include "api/error_mapping.hpp"
#include "domain/errors.hpp"
#include "util/uuid.hpp"

namespace ninja::api {

http::Response created(const domain::CreateResult& result, std::string_view collection) {
  auto response = http::Response::json(201, result.body);
  response.with_header("Location", std::string(collection) + "/" + result.id);
  if (result.replayed) response.with_header("Idempotent-Replayed", "true");
  return response;
}

domain::CreateDone respond_created(http::Respond respond, std::string collection) {
  return [respond = std::move(respond), collection = std::move(collection)](
                    const domain::CreateResult& result, const std::exception_ptr& error) {
    respond(error ? map_exception(error) : created(result, collection));
  };
}

std::function<void(std::exception_ptr)> respond_deleted(http::Respond respond) {
  return [respond = std::move(respond)](const std::exception_ptr& error) {
    respond(error ? map_exception(error) : http::Response::empty(204));
  };
}

std::string path_id(const http::PathParams& params, std::string_view what) {
  auto id = util::canonical_uuid(params.get("id"));
  if (!id) throw domain::NotFound("no such " + std::string(what));
  return *id;
}

}  // namespace ninja::api
