#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <atomic>
#include <list>
#include <optional>
#include <thread>
#include <utility>

#include "http/client_connection_limit.hpp"
#include "http/problem.hpp"
#include "http/request_decoding.hpp"
#include "http/response_wire.hpp"
#include "net/event_loops.hpp"

namespace ninja::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);
// How long, and how much, a rejected client may go on sending before the connection closes.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = size_t{4} * 1024 * 1024;

namespace {

// A connection as the drain logic sees it. Lives on its io_context's thread only.
struct Connection {
  beast::tcp_stream* stream;
  bool idle = true;        // waiting for the next request
  bool answering = false;  // its request is complete: from the handler to the end of the response
};

// One event loop's connections: a connection never migrates, so its state needs no locks.
struct Context {
  explicit Context(asio::io_context& context) : io(context) {}
  asio::io_context& io;
  std::list<Connection*> connections;  // on io's thread only
};

using Parser = bhttp::request_parser<bhttp::string_body>;

// What reading one request gave: a complete request, a problem to answer before closing, or
// neither (close quietly).
struct ReadOutcome {
  std::optional<Response> rejection;
  bool complete = false;
};

std::string remote_address(beast::tcp_stream& stream) {
  beast::error_code ec;
  const auto endpoint = stream.socket().remote_endpoint(ec);
  if (ec) return "unknown";
  return endpoint.address().to_string();
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions opts, const Pipeline& p, net::EventLoops& loops, std::shared_ptr<spdlog::logger> l)
      : options(std::move(opts)), pipeline(p), log(std::move(l)) {
    for (size_t i = 0; i < loops.size(); ++i) contexts.push_back(std::make_unique<Context>(loops.context(i)));
  }

  // The server's work on the loops, counted in `tasks` until it has ended, so that shutdown()
  // returns only when nothing queued or suspended on the loops (which outlive the server) can
  // still touch it.
  template <class Task>
  void spawn(asio::io_context& io, Task task) {
    tasks.fetch_add(1);
    asio::co_spawn(io, std::move(task), [this](const std::exception_ptr&) { tasks.fetch_sub(1); });
  }
  template <class Function>
  void run_on(asio::io_context& io, Function function) {
    tasks.fetch_add(1);
    asio::post(io, [this, function = std::move(function)]() mutable {
      function();
      tasks.fetch_sub(1);
    });
  }

  // Closes the sockets of the idle connections, or of all but those answering a request, on each
  // loop's thread. A coroutine waiting on a closed socket resumes with an error and ends.
  void close_connections(bool idle_only) {
    for (auto& context : contexts) {
      run_on(context->io, [&c = *context, idle_only] {
        for (auto* connection : c.connections) {
          beast::error_code ignored;
          if (connection->idle || (!idle_only && !connection->answering)) connection->stream->socket().close(ignored);
        }
      });
    }
  }

  static Response overloaded(std::string_view detail) {
    Response response = problem(503, "overloaded", "Too many connections", detail);
    response.with_header("Retry-After", "1");
    return response;
  }

  static Response uri_too_long() {
    return problem(414, "uri-too-long", "URI too long", "the request target exceeds the limit");
  }
  static Response headers_too_large() {
    return problem(431, "headers-too-large", "Request header fields too large",
                   "the request line and headers exceed the limit");
  }
  // After a header_limit error: was it the request line (a huge URI → 414) rather than the headers?
  // Beast consumes each complete line as it parses, so an unparsed request line means the limit
  // was hit inside it.
  static bool request_line_too_long(const Parser& parser) { return parser.get().target().empty(); }

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
      spawn(target.io, serve_connection(std::move(socket), target));
    }
  }

  // Answers a request that cannot be processed (bad framing, limits) and closes the connection.
  // The close lingers: the client may still be sending the body we refused, and closing with
  // unread input would reset the connection and destroy the answer before the client reads it.
  // The client's X-Request-Id (what of the header was read) is echoed as on any other answer.
  awaitable<void> reject(beast::tcp_stream& stream, Response response, std::string_view method, std::string_view target,
                         std::string_view request_id, const std::string& remote) {
    Request request;
    request.method = std::string(method);
    request.path = std::string(target.substr(0, 256));
    request.remote_address = remote;
    if (!request_id.empty()) request.headers.push_back({"x-request-id", std::string(request_id)});
    pipeline.dispatch(request);  // assigns the request id; the route is irrelevant here
    pipeline.complete(request, response, nullptr, std::chrono::steady_clock::duration::zero());
    const Body body = method == "HEAD" ? Body::omit : Body::send;
    auto [ec, written] = co_await write_response(stream, std::move(response), 11, false, body);
    if (ec) co_return;
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(kLingerTime);
    std::array<char, 16384> sink;
    size_t drained = 0;
    while (drained < kLingerBytes) {
      auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
      if (read_ec) break;
      drained += n;
    }
  }

  // Checks a request whose header has been read, before its body is; a problem to answer, or nullopt.
  std::optional<Response> check_header(const Parser& parser) const {
    const auto& header = parser.get();
    if (header.target().size() > options.max_target_bytes) return uri_too_long();
    if (header.version() >= 11 && header.find(bhttp::field::host) == header.end()) {
      return problem(400, "malformed-request", "Malformed request", "HTTP/1.1 requests must carry a Host header");
    }
    if (header.count(bhttp::field::host) > 1) {  // RFC 9112 §3.2: which one would a proxy have used?
      return problem(400, "malformed-request", "Malformed request", "more than one Host header");
    }
    if (header.find(bhttp::field::content_length) != header.end() &&
        header.find(bhttp::field::transfer_encoding) != header.end()) {
      // RFC 9112 §6.1: such a message may be an attempt at request smuggling; never guess.
      return problem(400, "malformed-request", "Malformed request",
                     "Content-Length together with Transfer-Encoding is not accepted");
    }
    if (auto length = parser.content_length(); length && *length > options.max_body_bytes)
      return payload_too_large(options.max_body_bytes);
    return std::nullopt;
  }

  // The problem for a failed read, or nullopt when the connection should just close (the peer
  // left, timed out, or we are shutting down).
  std::optional<Response> read_failure(const beast::error_code& ec, const beast::flat_buffer& buffer,
                                       const Parser& parser) const {
    if (ec == bhttp::error::header_limit) return request_line_too_long(parser) ? uri_too_long() : headers_too_large();
    if (ec == bhttp::error::body_limit) return payload_too_large(options.max_body_bytes);
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || buffer.size() == 0) {
      return std::nullopt;
    }
    return problem(400, "malformed-request", "Malformed request", ec.message());
  }

  // Reads one request into `parser` under the deadlines. GCC 12 miscompiles temporaries in some
  // co_await expressions, so responses are built by the plain functions above, never inline here.
  awaitable<ReadOutcome> read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer, Parser& parser,
                                      Connection& connection, bool first) {
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    if (!first && buffer.size() == 0) {
      // Between requests the connection may idle for --idle-timeout; once the next request has
      // begun to arrive, its header must be complete within --request-timeout, like the first one
      // (else a client trickling a byte now and then holds a slot for the idle timeout each time).
      stream.expires_after(options.idle_timeout);
      auto [wait_ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
      if (wait_ec) co_return ReadOutcome{read_failure(wait_ec, buffer, parser)};
      buffer.commit(n);
    }
    stream.expires_after(options.request_timeout);
    auto [header_ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (header_ec) co_return ReadOutcome{read_failure(header_ec, buffer, parser)};
    connection.idle = false;  // from here on the request is in flight: a drain lets it finish
    if (auto rejection = check_header(parser)) co_return ReadOutcome{std::move(rejection)};
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, parser.get().version()};
      stream.expires_after(options.request_timeout);
      auto [continue_ec, n] = co_await bhttp::async_write(stream, proceed, kTuple);
      if (continue_ec) co_return ReadOutcome{};
    }
    stream.expires_after(options.request_timeout);
    auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (body_ec) co_return ReadOutcome{read_failure(body_ec, buffer, parser)};
    co_return ReadOutcome{std::nullopt, true};
  }

  // Starts the asynchronous handler right here and suspends this connection until it responds,
  // which may be later, from the store's completion: on this loop's thread when the store runs
  // its connections on the same loops (then the post below costs no wake-up), or on a thread of
  // the store's own. The response is handed back to the connection's loop.
  awaitable<Response> invoke_async(const Dispatch& dispatch, const Request& request) {
    return asio::async_initiate<decltype(use_awaitable), void(Response)>(
        [this, &dispatch, &request](auto handler) {
          auto resume = std::make_shared<decltype(handler)>(std::move(handler));
          pipeline.invoke(dispatch, request, [resume](Response response) {
            auto executor = asio::get_associated_executor(*resume);
            asio::post(executor,
                       [resume, response = std::move(response)]() mutable { (*resume)(std::move(response)); });
          });
        },
        use_awaitable);
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

    const std::string remote = remote_address(stream);
    if (open.fetch_add(1) >= options.max_connections) {
      co_await reject(stream, overloaded("too many connections; try again later"), "-", "-", {}, remote);
      co_return;
    }
    // One address may not take every slot (a slowloris from one host would lock everyone out).
    ClientConnectionLimit::Slot slot(per_client, remote);
    if (!slot.taken()) {
      co_await reject(stream, overloaded("too many connections from your address; try again later"), "-", "-", {},
                      remote);
      co_return;
    }

    beast::flat_buffer buffer;
    for (bool first = true;; first = false) {
      connection.idle = true;
      if (draining.load()) break;
      Parser parser;
      ReadOutcome outcome = co_await read_request(stream, buffer, parser, connection, first);
      connection.idle = false;
      if (!outcome.complete) {
        if (outcome.rejection) {
          const auto& header = parser.get();
          co_await reject(stream, std::move(*outcome.rejection), header.method_string(), header.target(),
                          header["X-Request-Id"], remote);
        }
        break;
      }

      connection.answering = true;
      const unsigned version = parser.get().version();
      const bool keep_alive = parser.get().keep_alive();
      const auto start = std::chrono::steady_clock::now();
      Request request = to_request(parser.release(), remote);
      const Body body = request.method == "HEAD" ? Body::omit : Body::send;
      Dispatch dispatch = pipeline.dispatch(request);
      Response response;
      if (dispatch.response) {
        response = std::move(*dispatch.response);
      } else if (dispatch.route->async_handler) {
        response = co_await invoke_async(dispatch, request);
      } else {
        response = pipeline.invoke(dispatch, request);
      }
      pipeline.complete(request, response, &dispatch, std::chrono::steady_clock::now() - start);
      const bool keep = keep_alive && !draining.load();
      auto [write_ec, written] = co_await write_response(stream, std::move(response), version, keep, body);
      connection.answering = false;
      if (write_ec || !keep) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
  }

  awaitable<std::tuple<beast::error_code, size_t>> write_response(beast::tcp_stream& stream, Response response,
                                                                  unsigned version, bool keep_alive, Body body) {
    const std::string wire = to_wire(std::move(response), version, keep_alive, body);
    stream.expires_after(options.request_timeout);
    co_return co_await asio::async_write(stream, asio::buffer(wire), kTuple);
  }

  ServerOptions options;
  const Pipeline& pipeline;
  std::shared_ptr<spdlog::logger> log;
  std::atomic<bool> draining{false};
  std::atomic<size_t> open{0};
  std::atomic<size_t> tasks{0};  // coroutines and posted closures not finished yet
  ClientConnectionLimit per_client{options.max_connections_per_client};
  bool stopped = false;
  std::vector<std::unique_ptr<Context>> contexts;
  std::unique_ptr<tcp::acceptor> acceptor;
};

Server::Server(ServerOptions options, const Pipeline& pipeline, net::EventLoops& loops,
               std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, loops, std::move(log))) {}

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

  impl.spawn(impl.contexts.front()->io, impl.accept_loop(*impl.acceptor));
  const std::string host = address.is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  return host + ":" + std::to_string(bound.port());
}

size_t Server::open_connections() const { return impl_->open.load(); }

void Server::shutdown(std::chrono::milliseconds grace) {
  using namespace std::chrono_literals;
  auto& impl = *impl_;
  if (impl.stopped) return;
  impl.stopped = true;
  impl.draining = true;
  if (impl.acceptor) {
    impl.run_on(impl.contexts.front()->io, [&impl] {
      beast::error_code ignored;
      impl.acceptor->close(ignored);
    });
  }
  // Idle keep-alive connections would otherwise wait out their idle timeout.
  impl.close_connections(true);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl.open.load() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  // Past the grace, what is left is closed (again now and then: a connection accepted just before
  // the listener closed may start later), except connections answering a request: a handler still
  // waiting for its store holds its connection's coroutine, and the store always completes (commit
  // or error, by its deadline), so it is waited for, rather than destroyed under the completion
  // that will resume it, and its answer is written (a commit is acknowledged, not cut off).
  auto next_pass = std::chrono::steady_clock::now();
  while (impl.tasks.load() > 0) {
    if (std::chrono::steady_clock::now() >= next_pass) {
      impl.close_connections(false);
      next_pass += 100ms;
    }
    std::this_thread::sleep_for(1ms);
  }
}

}  // namespace ninja::http
