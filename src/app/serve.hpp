#pragma once
// `ninja-orders serve`: wires the roles this process runs (api, relay, notifier) and runs them
// until SIGTERM/SIGINT, then drains in order: HTTP, relay flush, notification attempts.
#include "config/config.hpp"
#include "util/logging.hpp"

namespace ninja::app {

int serve(const config::Config& config, const util::Loggers& log);

}  // namespace ninja::app
