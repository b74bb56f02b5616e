#pragma once
// What the NATS tests share: the server from NINJA_TEST_NATS_URL (unset or unreachable: skip with
// one line, a failure when CI=true), a prefix per test so tests run in parallel on one server, a
// private nats-server process for the tests that stop and restart it, and a collector that waits
// for what a consumer received.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "events/nats/jetstream_setup.hpp"
#include "events/nats/nats_address.hpp"
#include "events/nats/nats_connection.hpp"
#include "events/nats/nats_error.hpp"
#include "support/temp_dir.hpp"
#include "support/test_names.hpp"
#include "support/test_servers.hpp"

extern char** environ;

namespace ninja::contract::nats_support {

namespace nats = events::nats;
using namespace std::chrono_literals;

inline std::shared_ptr<spdlog::logger> quiet_logger() { return testing_support::quiet_logger("nats-test"); }

// "t-1a2b3c4d5e6f": one subject token, fresh for every test.
inline std::string unique_prefix() { return "t-" + testing_support::random_token(); }

inline std::string with_prefix(const std::string& url, const std::string& prefix) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "prefix=" + prefix;
}

inline nats::ConnectionOptions fast_reconnect() {
  nats::ConnectionOptions options;
  options.connect_timeout = 1000ms;
  options.reconnect_wait = 100ms;
  options.ping_interval = 500ms;
  return options;
}

// Waits until `condition` holds or `timeout` passes; returns whether it holds.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// A nats-server with JetStream of our own, on a free loopback port with its store in a temp dir,
// for tests that stop and restart it. Restarting keeps the port and the store.
class NatsServerProcess {
 public:
  NatsServerProcess() : port_(free_loopback_port()) {}
  NatsServerProcess(const NatsServerProcess&) = delete;
  NatsServerProcess& operator=(const NatsServerProcess&) = delete;
  ~NatsServerProcess() { kill(SIGKILL); }

  static bool installed() { return std::system("command -v nats-server > /dev/null 2>&1") == 0; }

  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

  // Arguments added to the next start(), e.g. {"--user", "u", "--pass", "p"}.
  void set_extra_args(std::vector<std::string> extra) { extra_ = std::move(extra); }

  // Starts the server and waits until JetStream answers; throws when it does not within 10 s.
  void start() {
    const std::string port = std::to_string(port_);
    const std::string store = (dir_.path() / "jetstream").string();
    const std::string log = (dir_.path() / "nats-server.log").string();
    std::vector<std::string> args{"nats-server", "-js", "-sd", store, "-a", "127.0.0.1", "-p", port, "-l", log};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "nats-server", nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start nats-server");
    }
    const bool up = eventually(
        [&] {
          try {
            nats::NatsConnection probe(nats::NatsAddress::parse(probe_url_.empty() ? url() : probe_url_),
                                       fast_reconnect(), quiet_logger());
            auto js = probe.jetstream(nullptr);
            jsAccountInfo* info = nullptr;
            const bool answers = js_GetAccountInfo(&info, js.get(), nullptr, nullptr) == NATS_OK;
            jsAccountInfo_Destroy(info);
            return answers;
          } catch (const std::exception&) {
            return false;
          }
        },
        10s);
    if (!up) throw std::runtime_error("nats-server did not come up on " + url() + " (log: " + log + ")");
  }

  // The URL start() probes with (credentials for a server started with --user/--pass).
  void set_probe_url(std::string url) { probe_url_ = std::move(url); }

  // SIGKILL: the server gets no chance to flush or say goodbye, as in a crash.
  void kill(int signal = SIGKILL) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  testing_support::TempDir dir_;
  const int port_;
  std::vector<std::string> extra_;
  std::string probe_url_;
  pid_t pid_ = -1;
};

// A test's own corner of the shared server: a connection with a fresh prefix and its stream,
// deleted again afterwards.
class NatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto url = testing_support::server_url("NINJA_TEST_NATS_URL");
    if (!url) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER("NINJA_TEST_NATS_URL is not set (no NATS server)");
    base_url = *url;
    address = nats::NatsAddress::parse(with_prefix(base_url, unique_prefix()));
    try {
      connection = std::make_unique<nats::NatsConnection>(address, fast_reconnect(), quiet_logger());
    } catch (const nats::NatsUnavailable& e) {
      NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(std::string("NATS at NINJA_TEST_NATS_URL is unreachable: ") + e.what());
    }
    js = connection->jetstream(nullptr);
    stream = stream_settings(address);
    nats::ensure_stream(js.get(), stream);
  }

  void TearDown() override {
    if (js) js_DeleteStream(js.get(), address.stream_name().c_str(), nullptr, nullptr);
  }

  static nats::StreamSettings stream_settings(const nats::NatsAddress& address) {
    nats::StreamSettings settings;
    settings.name = address.stream_name();
    settings.subjects = {address.all_subjects()};
    settings.max_age = std::chrono::hours(1);
    return settings;
  }

  nats::ConsumerSettings consumer_settings(const std::string& name) const {
    nats::ConsumerSettings settings;
    settings.stream = address.stream_name();
    settings.durable = address.durable_name(name);
    settings.filter_subject = address.all_subjects();
    return settings;
  }

  uint64_t stream_messages() {
    jsStreamInfo* info = nullptr;
    nats::check(js_GetStreamInfo(&info, js.get(), address.stream_name().c_str(), nullptr, nullptr), "stream info");
    const uint64_t count = info->State.Msgs;
    jsStreamInfo_Destroy(info);
    return count;
  }

  std::string base_url;
  nats::NatsAddress address;
  std::unique_ptr<nats::NatsConnection> connection;
  nats::JetStreamHandle js;
  nats::StreamSettings stream;
};

}  // namespace ninja::contract::nats_support
