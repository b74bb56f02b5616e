#include "app/serve.hpp"

#include <pthread.h>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>

#include <spdlog/logger.h>

#include "api/admin_api.hpp"
#include "api/error_mapping.hpp"
#include "api/ops_api.hpp"
#include "api/static_pages.hpp"
#include "app/api_key_cache.hpp"
#include "app/api_services.hpp"
#include "app/notifier_role.hpp"
#include "app/retention_sweep.hpp"
#include "events/make_bus.hpp"
#include "events/outbox_relay.hpp"
#include "http/gateway.hpp"
#include "http/pipeline.hpp"
#include "http/server.hpp"
#include "net/event_loops.hpp"
#include "notify/notifier.hpp"
#include "storage/open_storage.hpp"
#include "util/crypto.hpp"
#include "util/periodic_task.hpp"
#include "util/redact.hpp"
#include "util/time.hpp"

namespace ninja::app {
namespace {

// Blocks SIGINT/SIGTERM in this and every thread started later, so sigwait() receives them.
sigset_t block_shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

void check_roles(const config::ServeConfig& s, const events::Bus* bus) {
  // A bus that reaches only this process: a relay without a notifier here would mark events
  // published that no notifier ever saw.
  if (bus && !bus->reaches_other_processes() && s.has_role("relay") != s.has_role("notifier")) {
    throw std::invalid_argument("with --bus " + s.bus + " the relay and notifier roles must run in the same process");
  }
}

// --retention-days in milliseconds (0: keep for ever).
std::chrono::milliseconds retention_of(const config::ServeConfig& s) {
  if (s.retention_days <= 0) return std::chrono::milliseconds::zero();
  return std::chrono::milliseconds(std::max<int64_t>(1, std::llround(s.retention_days * 86'400'000.0)));
}

// Deletes done outbox events and their deliveries older than --retention-days, every second in
// small batches (null: retention is off, or the backend has none).
std::unique_ptr<util::PeriodicTask> start_retention(const config::ServeConfig& s, storage::Storage& storage,
                                                    util::MetricsRegistry& metrics, const util::Loggers& log) {
  if (s.retention_days <= 0 || !storage.retention) return nullptr;
  RetentionSweepOptions options;
  options.retention_ms = retention_of(s).count();
  auto sweep = std::make_shared<RetentionSweep>(*storage.retention, options, util::system_millis, metrics);
  return std::make_unique<util::PeriodicTask>(
      std::chrono::seconds(1),
      [sweep, log = log.app] {
        const auto purged = sweep->run_round();
        if (purged.events > 0)
          log->debug("retention: deleted {} events, {} deliveries", purged.events, purged.deliveries);
      },
      [log = log.app](const std::exception& e) { log->warn("retention purge failed: {}", e.what()); });
}

// Deletes expired idempotency records every minute (null: the backend expires them itself).
std::unique_ptr<util::PeriodicTask> start_idempotency_purge(storage::Storage& storage, const util::Loggers& log) {
  if (storage.expires_idempotency_itself) return nullptr;
  return std::make_unique<util::PeriodicTask>(
      std::chrono::minutes(1),
      [&store = *storage.store, log = log.app] {
        const auto n = util::await_result<size_t>(
            [&](auto done) { store.purge_idempotency(util::system_millis(), std::move(done)); });
        if (n > 0) log->info("purged {} expired idempotency keys", n);
      },
      [log = log.app](const std::exception& e) { log->warn("idempotency purge failed: {}", e.what()); });
}

// Everything that uses the store: the notifier, the relay, the services and the HTTP server, until
// SIGTERM/SIGINT. When it returns the server has drained and every part has stopped and is gone, so
// the caller may close the store and then stop the loops.
void serve_until_signal(const config::Config& config, const util::Loggers& log, const sigset_t& signals,
                        net::EventLoops& loops, storage::Storage& storage, events::Bus* bus,
                        util::MetricsRegistry& metrics) {
  const auto& s = config.serve;
  auto& store = *storage.store;
  util::UuidV7Generator ids(util::system_millis);
  const std::string owner = ids.next();  // this process's name on claims and leases

  // Notifier and relay: the notifier subscribes before the relay publishes anything.
  std::unique_ptr<NotifierRole> notifier;
  std::unique_ptr<events::Subscription> notifier_subscription;
  if (s.has_role("notifier")) {
    notifier = std::make_unique<NotifierRole>(s.notify, storage, loops, metrics, log.app, owner);
    notifier_subscription =
        bus->subscribe(notify::kBusConsumer, {std::string(events::kOrderCreated)},
                       [&n = notifier->notifier()](const std::vector<events::Event>& events) { n.accept(events); });
    notifier->notifier().start();
  }
  std::unique_ptr<events::OutboxRelay> relay;
  if (s.has_role("relay")) {
    // Before the first publish: the notifiers' queue must exist to keep what they have not yet read.
    bus->prepare_consumer(notify::kBusConsumer, {std::string(events::kOrderCreated)});
    events::RelayOptions options;
    options.owner = owner;
    // The in-process bus hands each event to this process's notifier inside publish(), and the
    // notifier's delivery table ignores an event it has: a claim would be one more write on the
    // store's one writer that protects nothing. (Two processes on one SQLite file may then both
    // publish an event; each order still gets one delivery.)
    options.claim = bus->reaches_other_processes();
    relay =
        std::make_unique<events::OutboxRelay>(*storage.outbox, *bus, util::system_millis, options, metrics, log.app);
    relay->start();
  }

  // The HTTP side: /v1 and /admin/v1 with the api role; health, readiness and metrics always.
  ApiServices services(storage, ids, s.idempotency_ttl_seconds * 1000);
  std::atomic<bool> draining{false};
  http::Router router;
  if (s.has_role("api")) {
    services.add_routes(router);
    api::add_admin_routes(router,
                          {*storage.deliveries, *storage.api_keys, store, util::system_millis, util::random_bytes});
  }
  api::add_ops_routes(router, &metrics, store, draining, bus);
  api::add_static_pages(router);  // /console/ and /docs/, on every role and backend

  // The gateway: API keys (re-read every 500 ms, so revocations apply within a second), the admin
  // API's guard and throttling.
  const bool require_key = s.auth == "api-key";
  ApiKeyCache api_keys(*storage.api_keys);
  std::unique_ptr<util::PeriodicTask> key_refresh;
  if (require_key) {
    api_keys.reload();
    log.app->info("API keys required on /v1 ({} live keys)", api_keys.live_keys());
    key_refresh = std::make_unique<util::PeriodicTask>(
        std::chrono::milliseconds(500), [&] { api_keys.reload(); },
        [&](const std::exception& e) { log.app->warn("API key refresh failed: {}", e.what()); });
  }
  const http::RateLimits limits{s.rate_limit.rate, s.rate_limit.burst, s.rate_limit.per_client_rate,
                                s.rate_limit.per_client_burst};
  // Always there: /admin/v1 is guarded by it even when /v1 needs no key and nothing is throttled.
  const http::AdminAccess admin_access({s.admin_key, require_key, config::is_loopback_host(s.host)});
  log.app->info("admin API on /admin/v1: {}", s.admin_key ? "needs the admin key"
                                              : admin_access.verdict("") == http::AdminVerdict::allowed
                                                  ? "open (--auth none on a loopback address, no --admin-key-file)"
                                                  : "disabled (no --admin-key-file)");
  http::Gateway gateway(
      http::GatewayOptions{require_key, limits, admin_access},
      [&api_keys](std::string_view presented) { return api_keys.find(presented); },
      [] {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
      },
      metrics);
  http::Pipeline pipeline(router, metrics, log.access, log.app, api::map_exception, ids, &gateway);

  http::ServerOptions options;
  options.host = s.host;
  options.port = s.port;
  options.max_body_bytes = s.max_body;
  options.max_header_bytes = s.max_header_bytes;
  options.max_connections = s.max_connections;
  options.max_connections_per_client = s.max_connections_per_client;
  options.request_timeout = std::chrono::milliseconds(s.request_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
  http::Server server(options, pipeline, loops, log.app);
  const std::string address = server.start();
  std::string roles;
  for (const auto& role : s.roles) roles += (roles.empty() ? "" : ",") + role;
  log.app->info("listening on http://{} (roles {}, store {}, bus {}, {} event loops)", address, roles,
                util::redact_credentials(config.store), bus ? util::redact_credentials(s.bus) : "unused", loops.size());

  auto purge = start_idempotency_purge(storage, log);
  auto retention = start_retention(s, storage, metrics, log);

  int signal = 0;
  sigwait(&signals, &signal);
  log.app->info("received {}, draining for up to {} s", signal == SIGTERM ? "SIGTERM" : "SIGINT",
                s.shutdown_grace_seconds);
  draining = true;
  server.shutdown(std::chrono::seconds(s.shutdown_grace_seconds));  // nothing of it is left on the loops
  if (relay) relay->stop();                                         // publishes what the last requests committed
  if (notifier_subscription) notifier_subscription->stop();         // no new batches reach the notifier
  if (notifier) notifier->notifier().stop();                        // lets attempts in flight finish
}  // the purges and key refresh stop here, before anything they use goes

}  // namespace

int serve(const config::Config& config, const util::Loggers& log) {
  const auto& s = config.serve;
  const sigset_t signals = block_shutdown_signals();  // before any thread starts: they inherit the mask
  // Only the relay and the notifier use the bus: an API-only process neither connects to it nor
  // depends on it for readiness (its requests only touch the store).
  std::unique_ptr<events::Bus> bus;
  if (s.has_role("relay") || s.has_role("notifier")) {
    bus = events::make_bus({s.bus, std::chrono::milliseconds(s.request_timeout_ms), log.app, config.ca_file});
  }
  check_roles(s, bus.get());

  // One set of event loops for the HTTP connections and the store's (PostgreSQL) connections: a
  // request is read, sent to the store, answered and written on one thread, with no hand-off. The
  // shutdown order is what makes that safe: the server drains (nothing of it stays on the loops),
  // then the store closes its connections (which run on the loops), then the loops stop.
  net::EventLoops loops(s.threads, "io");
  util::MetricsRegistry metrics;  // before the store, which counts its failed writes in it
  {
    storage::StorageOptions options{
        config.store, s.store_connections, std::chrono::milliseconds(s.request_timeout_ms), log.app, &loops, &metrics};
    options.retention = retention_of(s);
    options.ca_file = config.ca_file;
    storage::Storage storage = storage::open_storage(options);
    serve_until_signal(config, log, signals, loops, storage, bus.get(), metrics);
  }  // the store closes here, on loops that still run
  loops.stop();
  log.app->info("stopped");
  return 0;
}

}  // namespace ninja::app
