#pragma once
// The HTTP/1.1 server (Boost.Beast, Asio coroutines). Beast stays inside server.cpp so the rest of
// the code base compiles without it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "http/pipeline.hpp"

namespace ninja::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  size_t io_threads = 2;  // one io_context per thread; connections are spread round-robin
  size_t max_body_bytes = 1048576;
  size_t max_header_bytes = 16384;                   // request line + headers; more gets 431
  size_t max_target_bytes = 8192;                    // request-target; more gets 414
  size_t max_connections = 10000;                    // further connections get 503 and are closed
  std::chrono::milliseconds request_timeout{10000};  // to read one request, and to write its response
  std::chrono::milliseconds idle_timeout{60000};     // keep-alive: wait for the next request
};

class Server {
 public:
  Server(ServerOptions options, const Pipeline& pipeline, std::shared_ptr<spdlog::logger> log);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds, listens and starts the threads. Returns the bound "host:port" (port 0 → the chosen one).
  // Throws std::system_error if the address cannot be bound.
  std::string start();

  // Stops accepting, closes idle keep-alive connections, lets requests in flight finish (their
  // connections close after the response) and waits up to `grace` for them; then stops all threads.
  void shutdown(std::chrono::milliseconds grace);

  size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ninja::http
