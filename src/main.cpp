// Wiring only: Config → Store → services → Router → Pipeline → Server; signals and shutdown.
#include <csignal>
#include <iostream>
#include <pthread.h>

#include "api/error_mapping.hpp"
#include "api/ops_api.hpp"
#include "api/resource_api.hpp"
#include "config/config.hpp"
#include "domain/order_service.hpp"
#include "domain/user_service.hpp"
#include "http/pipeline.hpp"
#include "http/server.hpp"
#include "storage/make_store.hpp"
#include "storage/sqlite/backup.hpp"
#include "util/crypto.hpp"
#include "util/logging.hpp"
#include "util/periodic_task.hpp"
#include "util/time.hpp"

namespace {

using namespace ninja;

// Blocks SIGINT/SIGTERM in this and every thread started later, so sigwait() receives them.
sigset_t block_shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int serve(const config::Config& config, const util::Loggers& log) {
  const auto& s = config.serve;
  const sigset_t signals = block_shutdown_signals();
  if (s.bus != "inproc") throw std::invalid_argument("bus " + s.bus + " is not supported by this build (inproc)");
  if (s.auth != "none") {
    throw std::invalid_argument("--auth api-key is not available in this build yet; listen on a loopback address "
                                "or pass --auth none --insecure");
  }
  for (const auto& role : s.roles) {
    if (role != "api") log.app->warn("role {} is not part of this build yet; running the api role only", role);
  }

  // Every worker may hold a read connection at once, and so may the writer thread (a rare
  // idempotency lookup after a lost cross-process race).
  auto store = storage::make_store({config.store, s.workers + 1});
  util::UuidV7Generator ids(util::system_millis);
  domain::InFlightKeys in_flight;
  domain::IdempotentCreate creates(util::system_millis, in_flight, s.idempotency_ttl_seconds * 1000);
  domain::UserService users(*store, ids, creates,
                            [] { return domain::format_webhook_secret(util::random_bytes(32)); });
  domain::OrderService orders(*store, ids, creates);

  std::atomic<bool> draining{false};
  util::MetricsRegistry metrics;
  http::Router router;
  api::add_user_routes(router, users, orders);
  api::add_order_routes(router, orders);
  api::add_ops_routes(router, metrics, *store, draining);
  http::Pipeline pipeline(router, metrics, log.access, log.app, api::map_exception, ids);

  http::ServerOptions options;
  options.host = s.host;
  options.port = s.port;
  options.io_threads = s.threads;
  options.worker_threads = s.workers;
  options.max_body_bytes = s.max_body;
  options.max_header_bytes = s.max_header_bytes;
  options.max_connections = s.max_connections;
  options.request_timeout = std::chrono::milliseconds(s.request_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
  http::Server server(options, pipeline, log.app);
  const std::string address = server.start();
  log.app->info("listening on http://{} (store {}, {} I/O threads, {} workers)", address, config.store, s.threads,
                s.workers);

  util::PeriodicTask purge(
      std::chrono::minutes(1),
      [&] {
        if (auto n = store->purge_idempotency(util::system_millis()); n > 0) {
          log.app->info("purged {} expired idempotency keys", n);
        }
      },
      [&](const std::exception& e) { log.app->warn("idempotency purge failed: {}", e.what()); });

  int signal = 0;
  sigwait(&signals, &signal);
  log.app->info("received {}, draining for up to {} s", signal == SIGTERM ? "SIGTERM" : "SIGINT",
                s.shutdown_grace_seconds);
  draining = true;
  server.shutdown(std::chrono::seconds(s.shutdown_grace_seconds));
  log.app->info("stopped");
  return 0;
}

int migrate(const config::Config& config, const util::Loggers& log) {
  storage::make_store({config.store, 1});
  log.app->info("store {} is up to date", config.store);
  return 0;
}

int backup(const config::Config& config, const util::Loggers& log) {
  const auto path = storage::sqlite_path(config.store);
  if (!path) throw std::invalid_argument("backup works on sqlite: stores only");
  storage::sqlite::backup(*path, config.backup_out);
  log.app->info("backed up {} to {}", *path, config.backup_out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = config::parse(argc, argv);
  if (!parsed.config) return parsed.exit_code;
  const auto& config = *parsed.config;
  util::Loggers log;
  try {
    log = util::make_loggers(config.log_level, config.access_log);
    switch (config.command) {
      case config::Command::serve:
        return serve(config, log);
      case config::Command::migrate:
        return migrate(config, log);
      case config::Command::backup:
        return backup(config, log);
    }
  } catch (const std::exception& e) {
    if (log.app) {
      log.app->critical("{}", e.what());
    } else {
      std::cerr << "error: " << e.what() << "\n";
    }
  }
  return 1;
}
