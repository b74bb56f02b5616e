#pragma once
// The operator commands that work on a store directly, beside or without a running server:
// migrate, backup, dlq list/replay. Each returns the process exit code.
#include <ostream>

#include "config/config.hpp"
#include "util/logging.hpp"

namespace ninja::app {

int migrate(const config::Config& config, const util::Loggers& log);
int backup(const config::Config& config, const util::Loggers& log);
// Dead notifications as JSON lines on `out`, newest first.
int dlq_list(const config::Config& config, std::ostream& out, const util::Loggers& log);
// Makes dead notifications pending again; a running notifier attempts them within its poll interval.
int dlq_replay(const config::Config& config, std::ostream& out, const util::Loggers& log);

}  // namespace ninja::app
