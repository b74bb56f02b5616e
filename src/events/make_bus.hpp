#pragma once
// Opens the bus a URL names, so the wiring in app/ never names a backend.
#include <chrono>
#include <memory>
#include <string>

#include "events/bus.hpp"

namespace spdlog {
class logger;
}

namespace ninja::events {

struct BusOptions {
  std::string url = "inproc";               // inproc | nats://HOST:PORT[?prefix=P]
  std::chrono::milliseconds timeout{5000};  // the longest a publish waits for the bus
  std::shared_ptr<spdlog::logger> log;
  std::string ca_file{};  // CA certificates for a bus reached over HTTPS (SNS + SQS); empty: libcurl's default
};

// Throws std::invalid_argument for a URL no backend understands, and what the backend throws when
// it cannot start (an unreachable server, say: util::Unavailable).
std::unique_ptr<Bus> make_bus(const BusOptions& options);

}  // namespace ninja::events
