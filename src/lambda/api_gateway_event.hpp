#pragma once
// An API Gateway proxy event as the transport-neutral http::Request the pipeline answers, so a
// request through API Gateway meets the same gateway, router and handlers as one through the HTTP
// server. Both payload formats: the REST API's 1.0 and the HTTP API's 2.0.
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace ninja::lambda {

enum class PayloadFormat { v1, v2 };

struct GatewayRequest {
  http::Request request;
  PayloadFormat format = PayloadFormat::v1;
};

// Throws InvocationError(kBadEvent) for anything that is not an API Gateway proxy event (not
// JSON, no method, a body that claims base64 and is not). What the client sent is never a bad
// event: a broken query or an unknown path reaches the pipeline, which answers 400 or 404.
//  - 1.0: `path` and `httpMethod`; the query comes decoded (multiValueQueryStringParameters), so
//    it is re-encoded into the target; repeated headers come from multiValueHeaders;
//    requestContext.identity.apiKeyId, when API Gateway checked a key, is the client id (the
//    idempotency scope), as the gateway's own key check would set it.
//  - 2.0: `rawPath`, which live HTTP APIs deliver decoded (so it is encoded again), and
//    `rawQueryString` as sent; headers lower-case, repeats comma-joined; `cookies` back into one
//    Cookie header.
// Header names are lower-cased. The request id comes from X-Request-Id when the client sent an
// acceptable one, otherwise requestContext.requestId becomes that header.
GatewayRequest decode_gateway_event(std::string_view event);

}  // namespace ninja::lambda
