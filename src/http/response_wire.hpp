#pragma once
// A Response as the bytes sent on the wire: status line, header fields and body in one buffer, so
// the server writes it with one send and no per-field allocations. Beast's own serializer walks a
// variant of buffer sequences per field and showed up as ~6% of a GET's CPU; this is one string
// append per piece. The output is what Beast would send (a unit test compares them).
#include <string>

#include "http/message.hpp"

namespace ninja::http {

// `version` is the request's (10 or 11). `keep_alive` false asks the client to close
// (HTTP/1.1: "Connection: close"); true on HTTP/1.0 says "Connection: keep-alive".
std::string to_wire(Response&& response, unsigned version, bool keep_alive);

}  // namespace ninja::http
