#pragma once
// `ninja-orders lambda --handler H` (or a `bootstrap` started by Lambda): opens the store as serve
// does, without preparing its tables, then answers invocations from the Lambda Runtime API until
// the environment ends. A failure before the first invocation goes to /runtime/init/error.
#include "config/config.hpp"
#include "util/logging.hpp"

namespace ninja::app {

int run_lambda(const config::Config& config, const util::Loggers& log);

}  // namespace ninja::app
