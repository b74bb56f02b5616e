#pragma once
// A real HTTP/1.1 server on a free loopback port, on its own thread, for tests of HTTP clients:
// it records every request exactly as it arrived (method, target, headers with their case, body,
// which connection carried it) and answers with what the test's handler says — at once, after a
// delay, or never (until it stops). Keep-alive as a real server does, so connection reuse shows.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ninja::testing_support {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // as sent: names keep their case
  std::string body;
  int connection = 0;  // 1 for the first connection accepted, 2 for the next, …

  // The value of the first header whose name matches `name` ignoring case, or "".
  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (boost::beast::iequals(key, name)) return value;
    }
    return {};
  }
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // before answering; hours = never, in practice
  bool close = false;                  // close the connection after this answer
};

class HttpReceiver {
 public:
  using Handler = std::function<Reply(const ReceivedRequest&)>;

  explicit HttpReceiver(Handler handler = [](const ReceivedRequest&) { return Reply{}; })
      : handler_(std::move(handler)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;
  ~HttpReceiver() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  // The most connections open at the same moment.
  int peak_connections() const {
    std::lock_guard lock(mutex_);
    return peak_open_;
  }

 private:
  using tcp = boost::asio::ip::tcp;
  template <class T>
  using awaitable = boost::asio::awaitable<T>;

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) co_return;
      int number = 0;
      {
        std::lock_guard lock(mutex_);
        number = ++connections_;
        peak_open_ = std::max(peak_open_, ++open_);
      }
      boost::asio::co_spawn(io_, serve(std::move(socket), number), boost::asio::detached);
    }
  }

  awaitable<void> serve(tcp::socket socket, int number) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);  // Beast's 1 MB default is below what AWS calls may carry
      auto [read_error, read_bytes] = co_await http::async_read(socket, buffer, parser, tuple);
      if (read_error) break;
      auto request = parser.release();
      ReceivedRequest received{
          std::string(request.method_string()), std::string(request.target()), {}, request.body(), number};
      for (const auto& field : request) {
        received.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(received);
      }
      const Reply reply = handler_(received);
      if (reply.delay.count() > 0) {
        boost::asio::steady_timer timer(io_, reply.delay);
        co_await timer.async_wait(tuple);
      }
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, reply.content_type);
      for (const auto& [name, value] : reply.headers) response.set(name, value);
      response.body() = reply.body;
      response.keep_alive(request.keep_alive() && !reply.close);
      response.prepare_payload();
      auto [write_error, written] = co_await http::async_write(socket, response, tuple);
      if (write_error || !response.keep_alive()) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    std::lock_guard lock(mutex_);
    --open_;
  }

  Handler handler_;
  boost::asio::io_context io_{1};
  tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  int connections_ = 0;
  int open_ = 0;
  int peak_open_ = 0;
};

}  // namespace ninja::testing_support
