#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <list>
#include <thread>

#include "http/problem.hpp"

namespace ninja::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

namespace {

// A connection as the drain logic sees it. Lives on its io_context's thread only.
struct Connection {
  beast::tcp_stream* stream;
  bool idle = true;  // waiting for the next request
};

// One io_context per thread: a connection never migrates, so its state needs no locks.
struct Context {
  std::list<Connection*> connections;  // declared before io: coroutine frames die with io and unlist themselves
  asio::io_context io{1};
  std::thread thread;
};

bool has_both_length_and_chunking(const bhttp::request_parser<bhttp::string_body>& parser) {
  const auto& h = parser.get();
  return h.find(bhttp::field::content_length) != h.end() && h.find(bhttp::field::transfer_encoding) != h.end();
}

Request to_request(bhttp::request<bhttp::string_body>&& message, const std::string& remote) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  if (auto url = boost::urls::parse_origin_form(request.target)) {
    request.path = std::string(url->encoded_path());
    for (auto param : url->params()) request.query.emplace_back(param.key, param.value);
  } else {
    request.path = request.target;  // routes nowhere: 404
  }
  request.headers.reserve(16);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.push_back({std::move(name), std::string(field.value())});
  }
  request.body = std::move(message.body());
  request.remote_address = remote;
  return request;
}

bhttp::response<bhttp::string_body> to_message(Response&& response, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), version};
  if (!response.content_type.empty()) message.set(bhttp::field::content_type, response.content_type);
  for (auto& h : response.headers) message.insert(h.name, h.value);
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  return message;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions opts, const Pipeline& p, std::shared_ptr<spdlog::logger> l)
      : options(std::move(opts)),
        pipeline(p),
        log(std::move(l)),
        readers(options.read_workers),
        writers(options.write_workers) {
    for (size_t i = 0; i < std::max<size_t>(1, options.io_threads); ++i) contexts.push_back(std::make_unique<Context>());
  }

  awaitable<void> accept_loop(tcp::acceptor& listener) {
    size_t next = 0;
    for (;;) {
      Context& target = *contexts[next++ % contexts.size()];
      auto [ec, socket] = co_await listener.async_accept(target.io.get_executor(), kTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || !listener.is_open()) co_return;
        log->warn("accept failed: {}", ec.message());
        continue;
      }
      asio::co_spawn(target.io, serve_connection(std::move(socket), target), asio::detached);
    }
  }

  // Answers a request that cannot be processed (bad framing, limits) and closes the connection.
  awaitable<void> reject(beast::tcp_stream& stream, Response response, std::string_view method,
                         std::string_view target, const std::string& remote) {
    Request request;
    request.method = std::string(method);
    request.path = std::string(target.substr(0, 256));
    request.remote_address = remote;
    pipeline.dispatch(request);  // assigns the request id; the route is irrelevant here
    const auto start = std::chrono::steady_clock::now();
    pipeline.complete(request, response, nullptr, std::chrono::steady_clock::now() - start);
    co_await write_response(stream, std::move(response), 11, false);
  }

  awaitable<void> serve_connection(tcp::socket socket, Context& context) {
    beast::tcp_stream stream(std::move(socket));
    Connection connection{&stream};
    context.connections.push_back(&connection);
    struct Unregister {
      Context& c;
      Connection* conn;
      std::atomic<size_t>& open;
      ~Unregister() {
        c.connections.remove(conn);
        open.fetch_sub(1);
      }
    } unregister{context, &connection, open};

    beast::error_code ec;
    const auto endpoint = stream.socket().remote_endpoint(ec);
    const std::string remote = ec ? std::string("unknown") : endpoint.address().to_string();
    if (open.fetch_add(1) >= options.max_connections) {
      co_await reject(stream, problem(503, "overloaded", "Too many connections", "try again later"), "-", "-", remote);
      co_return;
    }

    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      connection.idle = true;
      if (draining.load()) break;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      stream.expires_after(first ? options.request_timeout : options.idle_timeout);
      first = false;
      auto [read_ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
      connection.idle = false;
      if (read_ec == bhttp::error::header_limit) {
        co_await reject(stream, problem(431, "headers-too-large", "Request header fields too large",
                                        "the request line and headers exceed the limit"), "-", "-", remote);
        break;
      }
      if (read_ec) {
        if (read_ec != bhttp::error::end_of_stream && read_ec != beast::error::timeout &&
            read_ec != asio::error::operation_aborted && read_ec != asio::error::connection_reset &&
            buffer.size() > 0) {
          co_await reject(stream, problem(400, "malformed-request", "Malformed request", read_ec.message()), "-",
                          "-", remote);
        }
        break;
      }
      auto& header = parser.get();
      const std::string_view method = header.method_string();
      const std::string_view target = header.target();
      if (target.size() > options.max_target_bytes) {
        co_await reject(stream, problem(414, "uri-too-long", "URI too long", "the request target exceeds the limit"),
                        method, target, remote);
        break;
      }
      if (has_both_length_and_chunking(parser)) {
        // RFC 9112 §6.1: such a message may be an attempt at request smuggling; never guess.
        co_await reject(stream, problem(400, "malformed-request", "Malformed request",
                                        "Content-Length together with Transfer-Encoding is not accepted"),
                        method, target, remote);
        break;
      }
      if (auto length = parser.content_length(); length && *length > options.max_body_bytes) {
        co_await reject(stream, problem(413, "payload-too-large", "Payload too large",
                                        "the body exceeds " + std::to_string(options.max_body_bytes) + " bytes"),
                        method, target, remote);
        break;
      }
      if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, header.version()};
        stream.expires_after(options.request_timeout);
        auto [continue_ec, n] = co_await bhttp::async_write(stream, proceed, kTuple);
        if (continue_ec) break;
      }
      stream.expires_after(options.request_timeout);
      auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      if (body_ec == bhttp::error::body_limit) {
        co_await reject(stream, problem(413, "payload-too-large", "Payload too large",
                                        "the body exceeds " + std::to_string(options.max_body_bytes) + " bytes"),
                        method, target, remote);
        break;
      }
      if (body_ec) {
        if (body_ec != beast::error::timeout && body_ec != asio::error::operation_aborted &&
            body_ec != bhttp::error::end_of_stream) {
          co_await reject(stream, problem(400, "malformed-request", "Malformed request", body_ec.message()), method,
                          target, remote);
        }
        break;
      }

      const unsigned version = parser.get().version();
      const bool keep_alive = parser.get().keep_alive();
      const auto start = std::chrono::steady_clock::now();
      Request request = to_request(parser.release(), remote);
      Dispatch dispatch = pipeline.dispatch(request);
      Response response;
      if (dispatch.response) {
        response = std::move(*dispatch.response);
      } else if (dispatch.execution() == Execution::inline_io) {
        response = pipeline.invoke(dispatch, request);
      } else {
        auto& pool = dispatch.execution() == Execution::writer ? writers : readers;
        response = co_await asio::co_spawn(
            pool, [&]() -> awaitable<Response> { co_return pipeline.invoke(dispatch, request); }, use_awaitable);
      }
      pipeline.complete(request, response, &dispatch, std::chrono::steady_clock::now() - start);
      const bool keep = keep_alive && !draining.load();
      auto [write_ec, written] = co_await write_response(stream, std::move(response), version, keep);
      if (write_ec || !keep) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
  }

  awaitable<std::tuple<beast::error_code, size_t>> write_response(beast::tcp_stream& stream, Response response,
                                                                  unsigned version, bool keep_alive) {
    auto message = to_message(std::move(response), version, keep_alive);
    stream.expires_after(options.request_timeout);
    co_return co_await bhttp::async_write(stream, message, kTuple);
  }

  // Order matters: connection coroutines, destroyed with `contexts`, still touch what precedes it.
  ServerOptions options;
  const Pipeline& pipeline;
  std::shared_ptr<spdlog::logger> log;
  std::atomic<bool> draining{false};
  std::atomic<size_t> open{0};
  bool stopped = false;
  asio::thread_pool readers;
  asio::thread_pool writers;
  std::vector<std::unique_ptr<Context>> contexts;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
};

Server::Server(ServerOptions options, const Pipeline& pipeline, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, std::move(log))) {}

Server::~Server() { shutdown(std::chrono::milliseconds(0)); }

std::string Server::start() {
  auto& impl = *impl_;
  const auto address = asio::ip::make_address(impl.options.host);
  const tcp::endpoint endpoint{address, impl.options.port};
  impl.acceptor = std::make_unique<tcp::acceptor>(impl.contexts.front()->io);
  impl.acceptor->open(endpoint.protocol());
  impl.acceptor->set_option(asio::socket_base::reuse_address(true));
  impl.acceptor->bind(endpoint);
  impl.acceptor->listen(asio::socket_base::max_listen_connections);
  const auto bound = impl.acceptor->local_endpoint();

  asio::co_spawn(impl.contexts.front()->io, impl.accept_loop(*impl.acceptor), asio::detached);
  for (auto& context : impl.contexts) {
    impl.guards.push_back(asio::make_work_guard(context->io));
    context->thread = std::thread([&io = context->io] { io.run(); });
  }
  const std::string host = address.is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  return host + ":" + std::to_string(bound.port());
}

size_t Server::open_connections() const { return impl_->open.load(); }

void Server::shutdown(std::chrono::milliseconds grace) {
  auto& impl = *impl_;
  if (impl.stopped) return;
  impl.stopped = true;
  impl.draining = true;
  if (impl.acceptor) {
    asio::post(impl.contexts.front()->io, [&impl] {
      beast::error_code ignored;
      impl.acceptor->close(ignored);
    });
  }
  // Idle keep-alive connections would otherwise wait out their idle timeout.
  for (auto& context : impl.contexts) {
    asio::post(context->io, [&c = *context] {
      for (auto* connection : c.connections) {
        if (connection->idle) connection->stream->socket().close();
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl.open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl.guards.clear();
  for (auto& context : impl.contexts) context->io.stop();
  for (auto& context : impl.contexts) {
    if (context->thread.joinable()) context->thread.join();
  }
  impl.readers.join();
  impl.writers.join();
}

}  // namespace ninja::http
