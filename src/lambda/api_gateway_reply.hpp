#pragma once
// A pipeline response as the document API Gateway turns back into HTTP: statusCode, headers, body.
#include <string>

#include "http/message.hpp"
#include "lambda/api_gateway_event.hpp"

namespace ninja::lambda {

// 1.0: every header in multiValueHeaders only (API Gateway merges `headers` into it, and one map
// keeps repeats exact); 2.0: `headers` with repeats comma-joined. The body goes as text when it is
// valid UTF-8 (every JSON and problem+json answer), otherwise base64 with isBase64Encoded. An
// answer to HEAD carries the GET's header fields and no body. Content-Length, Date and Connection
// are API Gateway's to set.
std::string encode_gateway_response(const http::Response& response, PayloadFormat format, bool head);

// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

}  // namespace ninja::lambda
