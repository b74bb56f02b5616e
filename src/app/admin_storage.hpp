#pragma once
// How the one-shot commands (migrate, backup, dlq, apikey) open the store: one connection, a patient
// timeout (they run beside busy servers), and the CA file of every command.
#include <chrono>

#include "config/config.hpp"
#include "storage/open_storage.hpp"
#include "util/logging.hpp"

namespace ninja::app {

inline storage::Storage open_admin_storage(const config::Config& config, const util::Loggers& log) {
  storage::StorageOptions options{config.store, 1, std::chrono::milliseconds(30000), log.app};
  options.ca_file = config.ca_file;
  return storage::open_storage(options);
}

}  // namespace ninja::app
