#pragma once
// An asynchronous HTTP client on one event loop: one curl multi handle per io_context, its sockets
// watched by the loop (curl's multi_socket interface), so a thousand requests in flight cost a
// thousand sockets and no thread. Connections stay open in the multi's cache and are reused by the
// next transfer to the same host (keep-alive), which is what makes a store on HTTP cheap.
//
// Everything happens on the loop's thread: perform() may be called from any thread (it hops onto
// the loop), the completion always runs on the loop (or inline when the client is shut down).
// What happened on the wire (a status, or the transport error) is the result; the error argument is
// only used when the client is shutting down (util::Unavailable), so callers can tell "retry this"
// from "stop".
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/curl_handle.hpp"
#include "util/completion.hpp"

namespace boost::asio {
class io_context;
}

namespace ninja::net {

// One request: a configured easy handle (URL, method, timeouts, auth) plus what curl only points
// to and so must outlive the transfer. perform() sets CURLOPT_HTTPHEADER to `headers` and, when
// `post` is set, CURLOPT_POSTFIELDS to `body`, once they have reached their final address.
struct HttpTransfer {
  CurlEasy easy;
  CurlList headers;
  std::string body;
  bool post = false;
};

struct HttpExchange {
  CURLcode code = CURLE_OK;  // CURLE_OK: a whole response arrived
  std::string error;         // curl's description when code != CURLE_OK
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in arrival order
  std::string body;
  long new_connections = 0;  // connections this transfer opened (0: it reused a cached one)

  bool responded() const { return code == CURLE_OK && status != 0; }
  // The first header called `name` (lower case), if the response had one.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct CurlMultiOptions {
  long max_cached_connections = 256;             // idle keep-alive connections the multi keeps open
  size_t max_response_bytes = size_t{32} << 20;  // a longer answer fails the transfer (CURLE_WRITE_ERROR)
  // Connections open to one host at a time, 0 for no limit. Beyond it transfers wait in curl's
  // queue (their timeout runs meanwhile) for a connection to come free: for a server that cannot
  // take concurrent requests safely (moto's DynamoDB transactions, say).
  long max_host_connections = 0;
  // The CA certificates HTTPS peers are checked against (CURLOPT_CAINFO); empty: libcurl's own
  // default. Debian's libcurl looks in /etc/ssl/certs, which Amazon Linux lays out differently, so a
  // Lambda function passes the bundle it carries.
  std::string ca_file{};
};

class CurlMulti {
 public:
  explicit CurlMulti(boost::asio::io_context& io, CurlMultiOptions options = {});
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;
  // shutdown(). On another thread than the loop's, the loop must still be running (or stopped).
  ~CurlMulti();

  boost::asio::io_context& io() const { return io_; }

  // Starts the transfer; `done` is called exactly once, on the loop's thread.
  void perform(HttpTransfer transfer, util::Completion<HttpExchange> done);

  // Transfers in flight complete with util::Unavailable, later ones at once; open connections
  // close. Idempotent; from any thread (waits for the loop to do it).
  void shutdown();

  // Transfers added and not yet completed (read on any thread).
  size_t in_flight() const;

 private:
  struct State;
  boost::asio::io_context& io_;
  std::shared_ptr<State> state_;
};

}  // namespace ninja::net
