#pragma once
// What tests of a shared server need to stay out of each other's way, and a logger that keeps
// their output quiet: a random token for names (a stream's subject prefix, a topic's or a table's
// name prefix), fresh for every test.
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>

namespace ninja::testing_support {

// Twelve lower-case hex digits ("1a2b3c4d5e6f"): letters and digits only, valid in any name.
inline std::string random_token() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%012llx", static_cast<unsigned long long>(random() & 0xffffffffffffULL));
  return buffer;
}

inline std::shared_ptr<spdlog::logger> quiet_logger(const std::string& name) {
  return std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace ninja::testing_support
