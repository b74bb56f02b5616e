#include "events/make_bus.hpp"

#include <stdexcept>

#include "events/inproc/inproc_bus.hpp"
#include "events/nats/nats_bus.hpp"
#include "events/sns/sns_bus.hpp"
#include "util/redact.hpp"

namespace ninja::events {

std::unique_ptr<Bus> make_bus(const BusOptions& options) {
  if (options.url == "inproc") return std::make_unique<InprocBus>();
  if (options.url.starts_with("nats://") || options.url.starts_with("tls://")) return nats::make_nats_bus(options);
  if (options.url.starts_with("sns://")) return sns::make_sns_bus(options);
  throw std::invalid_argument("unknown bus URL " + util::redact_credentials(options.url) +
                              " (expected inproc, nats://HOST:PORT or sns://REGION)");
}

}  // namespace ninja::events
