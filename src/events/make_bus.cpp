#include "events/make_bus.hpp"

#include <stdexcept>

#include "events/inproc/inproc_bus.hpp"

namespace ninja::events {

std::unique_ptr<Bus> make_bus(const BusOptions& options) {
  if (options.url == "inproc") return std::make_unique<InprocBus>();
  throw std::invalid_argument("unknown bus URL " + options.url + " (expected inproc or nats://HOST:PORT)");
}

}  // namespace ninja::events
