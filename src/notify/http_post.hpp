#pragma once
// One HTTP POST for the webhook and SMS channels, asynchronous on a net::CurlMulti (keep-alive
// connections reused, a deadline per request), and how its result maps onto a delivery outcome
// (API.md §3).
//
// The address guard (see net/address_guard.hpp) runs when a connection is opened, so a multi whose
// cached connections were opened without the guard must never carry guarded requests: give each
// channel its own CurlMulti.
#include <cstdint>
#include <string>
#include <vector>

#include "notify/channel.hpp"
#include "util/completion.hpp"

namespace ninja::net {
class CurlMulti;
}

namespace ninja::notify {

struct HttpPost {
  std::string url;
  std::string content_type;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  int64_t timeout_ms = 10000;
  // False: refuse to connect to non-public addresses (see address_guard.hpp).
  bool allow_private = false;
};

struct HttpResult {
  long status = 0;              // 0 when no response arrived
  std::string transport_error;  // empty when a response arrived
  // The request can never succeed as it is (a refused destination, an unusable URL).
  bool permanent = false;
};

// Starts the POST; `done` gets the result, never an error (network failures, and the client shutting
// down, are reported in the result).
void post(net::CurlMulti& client, const HttpPost& request, util::Completion<HttpResult> done);

// 2xx delivered; 408, 429, 5xx, timeouts and connection errors retried; other answers and a
// permanent failure dead.
Attempt classify(const HttpResult& result);

}  // namespace ninja::notify
