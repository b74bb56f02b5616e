#pragma once
// The HTTP/1.1 server (Boost.Beast, Asio coroutines) on the process's event loops, which it shares
// with the store's connections (net/event_loops.hpp). Beast stays inside server.cpp so the rest of
// the code base compiles without it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "http/pipeline.hpp"

namespace ninja::net {
class EventLoops;
}

namespace ninja::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  size_t max_body_bytes = 1048576;
  size_t max_header_bytes = 16384;                   // request line + headers; more gets 431
  size_t max_target_bytes = 8192;                    // request-target; more gets 414
  size_t max_connections = 10000;
  size_t max_connections_per_client = 0;  // from one remote address; 0: no cap                    // further connections get 503 and are closed
  std::chrono::milliseconds request_timeout{10000};  // to read one request, and to write its response
  std::chrono::milliseconds idle_timeout{60000};     // keep-alive: wait for the next request
};

class Server {
 public:
  // Connections are spread round-robin over `loops`; a connection stays on its loop, so its state
  // needs no locks. The loops must run until shutdown() has returned.
  Server(ServerOptions options, const Pipeline& pipeline, net::EventLoops& loops, std::shared_ptr<spdlog::logger> log);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds and listens. Returns the bound "host:port" (port 0 → the chosen one).
  // Throws std::system_error if the address cannot be bound.
  std::string start();

  // Stops accepting, closes idle keep-alive connections, lets requests in flight finish (their
  // connections close after the response) and waits up to `grace` for them; then closes what is
  // left and returns once none of the server's work remains on the loops. A request whose handler
  // has not answered by then is waited for and its answer written (the store always answers, by
  // its deadline at the latest).
  void shutdown(std::chrono::milliseconds grace);

  size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ninja::http
