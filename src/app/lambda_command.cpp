#include "app/lambda_command.hpp"

#include <atomic>
#include <iostream>
#include <memory>

#include <spdlog/logger.h>

#include "api/error_mapping.hpp"
#include "api/ops_api.hpp"
#include "app/api_services.hpp"
#include "app/notifier_role.hpp"
#include "events/make_bus.hpp"
#include "events/outbox_relay.hpp"
#include "http/pipeline.hpp"
#include "lambda/api_handler.hpp"
#include "lambda/notifier_handler.hpp"
#include "lambda/relay_handler.hpp"
#include "lambda/run_loop.hpp"
#include "lambda/runtime_client.hpp"
#include "net/event_loops.hpp"
#include "storage/open_storage.hpp"
#include "util/redact.hpp"
#include "util/time.hpp"

namespace ninja::app {
namespace {

// Each function owns what its handler uses; all of it is built before the first `next`.
class Function {
 public:
  virtual ~Function() = default;
  virtual std::string operator()(const lambda::Invocation& invocation) = 0;
};

// API Gateway's events: the /v1 services and the operational routes behind the pipeline, with no
// gateway of the binary's own (API Gateway checks the keys and throttles).
class ApiFunction final : public Function {
 public:
  ApiFunction(const config::Config& config, storage::Storage& storage, util::MetricsRegistry& metrics,
              const util::Loggers& log)
      : ids_(util::system_millis),
        services_(storage, ids_, config.serve.idempotency_ttl_seconds * 1000),
        pipeline_(router_, metrics, log.access, log.app, api::map_exception, ids_),
        handler_(pipeline_, util::system_millis, lambda::ApiHandlerOptions{config.serve.max_body}) {
    services_.add_routes(router_);
    api::add_ops_routes(router_, nullptr, *storage.store, draining_);  // no /metrics: see add_ops_routes
  }
  std::string operator()(const lambda::Invocation& invocation) override { return handler_(invocation); }

 private:
  util::UuidV7Generator ids_;
  ApiServices services_;
  http::Router router_;
  std::atomic<bool> draining_{false};  // Lambda freezes or ends the process; it never drains it
  http::Pipeline pipeline_;
  lambda::ApiHandler handler_;
};

// The outbox stream's batches and the sweep: publishes to the bus. The topic is the stack's; the
// notifier's queue is subscribed by CloudFormation, so nothing is prepared here.
class RelayFunction final : public Function {
 public:
  RelayFunction(const config::Config& config, storage::Storage& storage, util::MetricsRegistry& metrics,
                const util::Loggers& log, const std::string& owner)
      : bus_(events::make_bus(
            {config.serve.bus, std::chrono::milliseconds(config.serve.request_timeout_ms), log.app, config.ca_file})),
        relay_(*storage.outbox, *bus_, util::system_millis, options(owner), metrics, log.app),
        handler_(relay_, *storage.outbox, util::system_millis, [](const std::string& line) {
          std::cout << line << std::endl;  // CloudWatch reads EMF lines from the function's output
        }) {}
  std::string operator()(const lambda::Invocation& invocation) override { return handler_(invocation); }

 private:
  static events::RelayOptions options(const std::string& owner) {
    events::RelayOptions o;
    o.owner = owner;
    return o;
  }
  std::unique_ptr<events::Bus> bus_;
  events::OutboxRelay relay_;
  lambda::RelayHandler handler_;
};

// The notifier queue's batches (SQS event source) and the scheduled retries.
class NotifierFunction final : public Function {
 public:
  NotifierFunction(const config::Config& config, storage::Storage& storage, net::EventLoops& loops,
                   util::MetricsRegistry& metrics, const util::Loggers& log, const std::string& owner)
      : role_(config.serve.notify, storage, loops, metrics, log.app, owner, NotifierRole::Retries::on_request),
        handler_(role_.notifier(), *log.app) {
    role_.notifier().start();
  }
  ~NotifierFunction() override { role_.notifier().stop(); }
  std::string operator()(const lambda::Invocation& invocation) override { return handler_(invocation); }

 private:
  NotifierRole role_;
  lambda::NotifierHandler handler_;
};

std::unique_ptr<Function> make_function(const config::Config& config, storage::Storage& storage, net::EventLoops& loops,
                                        util::MetricsRegistry& metrics, const util::Loggers& log) {
  const std::string& handler = config.lambda.handler;
  const std::string owner = util::UuidV7Generator(util::system_millis).next();  // this environment's leases
  if (handler == "api") return std::make_unique<ApiFunction>(config, storage, metrics, log);
  if (handler == "relay") return std::make_unique<RelayFunction>(config, storage, metrics, log, owner);
  if (handler == "notifier") return std::make_unique<NotifierFunction>(config, storage, loops, metrics, log, owner);
  throw std::invalid_argument("unknown handler '" + handler + "' (expected api, relay or notifier)");
}

}  // namespace

int run_lambda(const config::Config& config, const util::Loggers& log) {
  const auto& l = config.lambda;
  lambda::RuntimeClient runtime(l.runtime_api);
  // One loop: an environment gets one invocation at a time, and the store's calls for it run there.
  net::EventLoops loops(1, "io");
  util::MetricsRegistry metrics;
  std::unique_ptr<storage::Storage> storage;
  std::unique_ptr<Function> function;
  try {
    storage::StorageOptions options{config.store,
                                    config.serve.store_connections,
                                    std::chrono::milliseconds(config.serve.request_timeout_ms),
                                    log.app,
                                    &loops,
                                    &metrics};
    options.retention = std::chrono::milliseconds(static_cast<int64_t>(config.serve.retention_days * 86'400'000.0));
    options.prepare_schema = false;  // CloudFormation owns the tables
    options.ca_file = config.ca_file;
    storage = std::make_unique<storage::Storage>(storage::open_storage(options));
    function = make_function(config, *storage, loops, metrics, log);
  } catch (const std::exception& e) {
    log.app->critical("init failed: {}", e.what());
    runtime.init_error(lambda::kInitFailed, e.what());
    return 1;
  }
  log.app->info("Lambda runtime ready: handler {}, store {}", l.handler, util::redact_credentials(config.store));
  const int code = lambda::run_invocations(
      runtime, [&function](const lambda::Invocation& invocation) { return (*function)(invocation); }, *log.app);
  function.reset();
  storage.reset();  // closes on the loops, which still run
  loops.stop();
  return code;
}

}  // namespace ninja::app
