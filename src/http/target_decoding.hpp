#pragma once
// A request target ("/v1/orders?limit=5") split into the path and the percent-decoded query of an
// http::Request. Shared by the HTTP server (Beast's target) and the Lambda adapter (an API Gateway
// event's path and query), so both route and reject exactly alike.
#include "http/message.hpp"

namespace ninja::http {

// Sets request.path, request.query and request.malformed_query from request.target: a broken query
// on a good path is flagged for a 400; a target that is no origin-form at all becomes the path
// (it routes nowhere: 404).
void decode_target(Request& request);

}  // namespace ninja::http
