// The HTTP server on event loops it shares with others (the store's connections): connections are
// spread over the loops, and shutdown — drain, then close what is left past the grace, and wait
// for a handler still waiting for its store — returns only when nothing of the server is left on
// the loops, which run on (under ASan, a coroutine or closure left behind would touch a destroyed
// server).
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "net/event_loops.hpp"
#include "unit/http/raw_client.hpp"

namespace ninja::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class ServerOnLoops : public ::testing::Test {
 protected:
  ServerOnLoops() {
    router.add("GET", "/loop", [this](const Request&, const PathParams&) {
      return Response::text(200, "text/plain", std::to_string(loops.current().value_or(99)));
    });
    // Answers when the test says so, from the test's thread (as a store on a thread of its own does).
    router.add_async("GET", "/later", [this](const Request&, const PathParams&, Respond respond) {
      std::lock_guard lock(mutex);
      later.push_back(std::move(respond));
    });
  }
  ~ServerOnLoops() override {
    server.reset();
    // The loops outlive the server and still run: nothing of it may be queued on them.
    for (size_t i = 0; i < loops.size(); ++i) {
      std::promise<void> ran;
      asio::post(loops.context(i), [&] { ran.set_value(); });
      EXPECT_EQ(ran.get_future().wait_for(5s), std::future_status::ready);
    }
  }
  std::string start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server = std::make_unique<Server>(options, pipeline, loops, log);
    return server->start();
  }
  size_t waiting() {
    std::lock_guard lock(mutex);
    return later.size();
  }
  void answer_all() {
    std::lock_guard lock(mutex);
    for (auto& respond : later) respond(Response::text(200, "text/plain", "later"));
    later.clear();
  }
  static bool eventually(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  net::EventLoops loops{2, "srv-test"};
  Router router;
  util::MetricsRegistry metrics;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_mt>());
  util::UuidV7Generator ids{[] { return int64_t{1795498020123}; }};
  Pipeline pipeline{router, metrics, log, log, [](std::exception_ptr) { return Response::empty(500); }, ids};
  std::mutex mutex;
  std::vector<Respond> later;
  std::unique_ptr<Server> server;
};

TEST_F(ServerOnLoops, ConnectionsAreServedOnEveryLoop) {
  const auto address = start();
  std::set<std::string> seen;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<Client>(address));
    clients.back()->get("/loop");
    const std::string response = clients.back()->response();
    ASSERT_NE(response.find("200 OK"), std::string::npos) << response;
    seen.insert(response.substr(response.size() - 1));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"0", "1"}));
}

TEST_F(ServerOnLoops, ShutdownDrainsAndWaitsForAHandlerThatAnswersLater) {
  const auto address = start();
  Client idle(address);
  idle.get("/loop");
  ASSERT_NE(idle.response().find("200 OK"), std::string::npos);
  Client busy(address);
  busy.get("/later");
  ASSERT_TRUE(eventually([&] { return waiting() == 1; }));

  auto stopped = std::async(std::launch::async, [&] { server->shutdown(200ms); });
  EXPECT_TRUE(idle.closed_by_server());  // idle keep-alive connections close at once
  // Past the grace the handler has not answered: shutdown waits for it rather than destroy the
  // coroutine it will resume.
  EXPECT_EQ(stopped.wait_for(400ms), std::future_status::timeout);
  answer_all();
  EXPECT_EQ(stopped.wait_for(5s), std::future_status::ready);
  const std::string response = busy.response();  // the request in flight got its answer, then close
  EXPECT_NE(response.find("200 OK"), std::string::npos) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  EXPECT_TRUE(busy.closed_by_server());
  EXPECT_EQ(server->open_connections(), 0u);
}

TEST_F(ServerOnLoops, PastTheGraceWhatIsLeftIsClosed) {
  ServerOptions options;
  options.request_timeout = 30s;  // the half-sent request would otherwise hold the connection this long
  const auto address = start(options);
  Client slow(address);
  slow.send("POST /loop HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf");
  ASSERT_TRUE(eventually([&] { return server->open_connections() == 1; }));
  std::this_thread::sleep_for(50ms);  // its header is read: the request is in flight, not idle
  const auto start_time = std::chrono::steady_clock::now();
  server->shutdown(100ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start_time, 2s);
  EXPECT_TRUE(slow.closed_by_server());
  EXPECT_EQ(server->open_connections(), 0u);
}

TEST_F(ServerOnLoops, AServerThatNeverStartedGoesQuietly) {
  server = std::make_unique<Server>(ServerOptions{}, pipeline, loops, log);
  server->shutdown(0ms);
}

}  // namespace
}  // namespace ninja::http
