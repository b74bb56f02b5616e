#pragma once
// One HTTP POST for the webhook and SMS channels (libcurl, blocking, with a deadline), and how
// its result maps onto a delivery outcome (API.md §3).
#include <cstdint>
#include <string>
#include <vector>

#include "notify/channel.hpp"

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

// Never throws for network failures; they are reported in the result.
HttpResult post(const HttpPost& request);

// 2xx delivered; 408, 429, 5xx, timeouts and connection errors retried; other answers and a
// permanent failure dead.
Attempt classify(const HttpResult& result);

}  // namespace ninja::notify
