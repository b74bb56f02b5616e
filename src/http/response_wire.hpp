#pragma once
// A Response as the bytes sent on the wire: status line, header fields and body in one buffer, so
// the server writes it with one send and no per-field allocations. Beast's own serializer walks a
// variant of buffer sequences per field and showed up as ~6% of a GET's CPU; this is one string
// append per piece. The output is what Beast would send (a unit test compares them).
#include <string>

#include "http/message.hpp"

namespace ninja::http {

// Whether the body goes on the wire: not in the answer to a HEAD, which carries the GET's header
// fields, Content-Length included (RFC 9110 §9.3.2), and nothing after them.
enum class Body { send, omit };

// `version` is the request's (10 or 11). `keep_alive` false asks the client to close
// (HTTP/1.1: "Connection: close"); true on HTTP/1.0 says "Connection: keep-alive".
std::string to_wire(Response&& response, unsigned version, bool keep_alive, Body body = Body::send);

}  // namespace ninja::http
