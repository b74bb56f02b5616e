#include "notify/http_post.hpp"

#include <sys/socket.h>

#include "net/address_guard.hpp"
#include "net/curl_handle.hpp"

namespace ninja::notify {
namespace {

struct SocketGuard {
  bool allow_private = false;
  bool refused = false;
};

// libcurl asks us for every socket it connects, with the resolved address: the one place where
// the SSRF check sees what DNS actually returned.
curl_socket_t open_guarded_socket(void* context, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<SocketGuard*>(context);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  if (!guard->allow_private && !net::is_public_address(&address->addr)) {
    guard->refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

size_t discard_body(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

HttpResult post(const HttpPost& request) {
  HttpResult result;
  net::CurlEasy easy = net::new_curl_easy(static_cast<long>(request.timeout_ms));
  CURL* h = easy.get();
  SocketGuard guard{request.allow_private, false};
  net::CurlList headers;
  headers.append("Content-Type: " + request.content_type);
  headers.append("Expect:");  // no 100-continue round trip
  for (const auto& header : request.headers) headers.append(header);

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could lead past the guard
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_guarded_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &guard);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "ninja-orders-notifier/" NINJA_ORDERS_VERSION);

  const CURLcode code = curl_easy_perform(h);
  if (guard.refused) {
    result.permanent = true;
    result.transport_error = "destination refused: not a public address (see --webhook-allow-private)";
    return result;
  }
  if (code != CURLE_OK) {
    result.transport_error = curl_easy_strerror(code);
    result.permanent = code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL;
    return result;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

Attempt classify(const HttpResult& result) {
  if (result.permanent) return {Outcome::dead, result.transport_error};
  if (result.status == 0) return {Outcome::retry, result.transport_error};
  if (result.status >= 200 && result.status < 300) return {Outcome::delivered, {}};
  const std::string error = "HTTP " + std::to_string(result.status);
  if (result.status == 408 || result.status == 429 || result.status >= 500) return {Outcome::retry, error};
  return {Outcome::dead, error};
}

}  // namespace ninja::notify
