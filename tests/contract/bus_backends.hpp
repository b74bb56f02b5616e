#pragma once
// Backend fixtures for the Bus contract suite. Each gives a test a fresh bus of its kind:
//
//   static constexpr const char* kName;       // test-name suffix
//   std::optional<std::string> unavailable(); // why this backend cannot run here (skip, or fail in CI)
//   events::Bus& bus();
//
// NATS needs NINJA_TEST_NATS_URL; each test gets its own prefix (its own stream and durables),
// deleted afterwards, with short redelivery timers so refusals come back within a test's time.
// SNS needs NINJA_TEST_MOTO_URL, and likewise gets a prefix (its own topic and queues).
#include <memory>
#include <optional>
#include <string>

#include "events/bus.hpp"
#include "events/inproc/inproc_bus.hpp"
#include "events/nats/nats_bus.hpp"
#include "nats_test_support.hpp"
#include "sns_test_support.hpp"

namespace ninja::contract {

struct InprocBackend {
  static constexpr const char* kName = "Inproc";
  std::optional<std::string> unavailable() const { return std::nullopt; }
  events::Bus& bus() { return bus_; }

 private:
  events::InprocBus bus_;
};

struct NatsBackend {
  static constexpr const char* kName = "Nats";

  NatsBackend() {
    const auto url = testing_support::server_url("NINJA_TEST_NATS_URL");
    if (!url) {
      why_ = "NINJA_TEST_NATS_URL is not set (no NATS server)";
      return;
    }
    address_ = events::nats::NatsAddress::parse(nats_support::with_prefix(*url, nats_support::unique_prefix()));
    try {
      bus_ = std::make_unique<events::nats::NatsBus>(address_, quick_options(), nats_support::quiet_logger());
    } catch (const util::Unavailable& e) {
      why_ = std::string("NATS at NINJA_TEST_NATS_URL is unreachable: ") + e.what();
    }
  }
  ~NatsBackend() {
    if (!bus_) return;
    bus_.reset();
    try {
      events::nats::NatsConnection cleanup(address_, nats_support::fast_reconnect(), nats_support::quiet_logger());
      auto js = cleanup.jetstream(nullptr);
      js_DeleteStream(js.get(), address_.stream_name().c_str(), nullptr, nullptr);
    } catch (const std::exception&) {
      // The stream expires by itself (max_age).
    }
  }

  static events::nats::NatsBusOptions quick_options() {
    using namespace std::chrono_literals;
    events::nats::NatsBusOptions options;
    options.connection = nats_support::fast_reconnect();
    options.publish_timeout = 2s;
    options.stream.max_age = std::chrono::hours(1);
    options.consumer.ack_wait = 2s;
    options.pull.fetch_wait = 500ms;
    options.pull.nak_base = 100ms;
    options.pull.nak_max = 200ms;
    options.pull.progress_interval = 500ms;
    return options;
  }

  std::optional<std::string> unavailable() const { return why_; }
  events::Bus& bus() { return *bus_; }
  const events::nats::NatsAddress& address() const { return address_; }

 private:
  std::optional<std::string> why_;
  events::nats::NatsAddress address_;
  std::unique_ptr<events::nats::NatsBus> bus_;
};

// SNS + SQS on moto (NINJA_TEST_MOTO_URL): a topic and queues under a prefix of the test's own.
struct SnsBackend {
  static constexpr const char* kName = "Sns";
  std::optional<std::string> unavailable() const { return moto_.why; }
  events::Bus& bus() { return *moto_.bus; }

 private:
  sns_support::MotoBus moto_;
};

using BusBackends = ::testing::Types<InprocBackend, NatsBackend, SnsBackend>;

struct BusBackendName {
  template <class Backend>
  static std::string GetName(int /*index*/) {
    return Backend::kName;
  }
};

}  // namespace ninja::contract
