#include "notify/http_post.hpp"

#include <sys/socket.h>

#include <memory>

#include "net/address_guard.hpp"
#include "net/curl_handle.hpp"
#include "net/curl_multi.hpp"

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

HttpResult result_of(const net::HttpExchange& exchange, const SocketGuard& guard) {
  HttpResult result;
  if (guard.refused) {
    result.permanent = true;
    result.transport_error = "destination refused: not a public address (see --webhook-allow-private)";
    return result;
  }
  if (exchange.code != CURLE_OK) {
    result.transport_error = exchange.error;
    result.permanent = exchange.code == CURLE_URL_MALFORMAT || exchange.code == CURLE_UNSUPPORTED_PROTOCOL;
    return result;
  }
  result.status = exchange.status;
  return result;
}

}  // namespace

void post(net::CurlMulti& client, const HttpPost& request, util::Completion<HttpResult> done) {
  net::HttpTransfer transfer;
  transfer.easy = net::new_curl_easy(static_cast<long>(request.timeout_ms));
  CURL* h = transfer.easy.get();
  // The completion lives as long as the transfer, and so does the guard curl points to.
  auto guard = std::make_shared<SocketGuard>(SocketGuard{request.allow_private, false});
  transfer.headers.append("Content-Type: " + request.content_type);
  transfer.headers.append("Expect:");  // no 100-continue round trip
  for (const auto& header : request.headers) transfer.headers.append(header);
  transfer.body = request.body;
  transfer.post = true;

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could lead past the guard
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_guarded_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, guard.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "ninja-orders-notifier/" NINJA_ORDERS_VERSION);

  client.perform(std::move(transfer),
                 [guard, done = std::move(done)](net::HttpExchange exchange, const std::exception_ptr& error) {
                   if (error) {
                     HttpResult stopped;
                     stopped.transport_error = "the notifier is shutting down";
                     return done(std::move(stopped), nullptr);
                   }
                   done(result_of(exchange, *guard), nullptr);
                 });
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
