#include "app/notifier_role.hpp"

#include <cstring>

#include "util/crypto.hpp"
#include "util/time.hpp"

namespace ninja::app {
namespace {

// A uniform double in [0, 1) from the CSPRNG: retry jitter, thread-safe without shared state.
double random_unit() {
  uint64_t bits = 0;
  const std::string bytes = util::random_bytes(sizeof bits);
  std::memcpy(&bits, bytes.data(), sizeof bits);
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

notify::NotifierOptions options_of(const config::NotifyConfig& config, const std::string& owner,
                                   NotifierRole::Retries retries) {
  // The lease outlasts one attempt's own time limit.
  notify::NotifierOptions options{owner, config.concurrency, std::chrono::milliseconds(config.timeout_ms + 5000),
                                  std::chrono::milliseconds(1000)};
  options.schedule = retries == NotifierRole::Retries::scheduled_here;
  return options;
}

}  // namespace

NotifierRole::NotifierRole(const config::NotifyConfig& config, storage::Storage& storage, net::EventLoops& loops,
                           util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log,
                           const std::string& owner, Retries retries)
    : channels_(config, loops),
      notifier_(*storage.store, *storage.deliveries, channels_.set(),
                notify::RetryPolicy{config.retry_base_ms, config.retry_max_ms, config.max_attempts},
                options_of(config, owner, retries), util::system_millis, random_unit, metrics, std::move(log)) {}

}  // namespace ninja::app
