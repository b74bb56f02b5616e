#include "app/lambda_command.hpp"

#include <atomic>
#include <memory>

#include <spdlog/logger.h>

#include "api/error_mapping.hpp"
#include "api/ops_api.hpp"
#include "app/api_services.hpp"
#include "http/pipeline.hpp"
#include "lambda/api_handler.hpp"
#include "lambda/run_loop.hpp"
#include "lambda/runtime_client.hpp"
#include "net/event_loops.hpp"
#include "storage/open_storage.hpp"
#include "util/redact.hpp"
#include "util/time.hpp"

namespace ninja::app {
namespace {

// What answers API Gateway's events: the /v1 services and the operational routes behind the
// pipeline, with no gateway of the binary's own (API Gateway checks keys and throttles).
class ApiFunction {
 public:
  ApiFunction(const config::Config& config, storage::Storage& storage, util::MetricsRegistry& metrics,
              const util::Loggers& log)
      : ids_(util::system_millis),
        services_(storage, ids_, config.serve.idempotency_ttl_seconds * 1000),
        pipeline_(router_, metrics, log.access, log.app, api::map_exception, ids_),
        handler_(pipeline_, config.serve.max_body) {
    services_.add_routes(router_);
    api::add_ops_routes(router_, metrics, *storage.store, draining_);
  }

  std::string operator()(const lambda::Invocation& invocation) const { return handler_(invocation); }

 private:
  util::UuidV7Generator ids_;
  ApiServices services_;
  http::Router router_;
  std::atomic<bool> draining_{false};  // Lambda freezes or ends the process; it never drains it
  http::Pipeline pipeline_;
  lambda::ApiHandler handler_;
};

}  // namespace

int run_lambda(const config::Config& config, const util::Loggers& log) {
  const auto& l = config.lambda;
  lambda::RuntimeClient runtime(l.runtime_api);
  // One loop: an environment gets one invocation at a time, and the store's calls for it run there.
  net::EventLoops loops(1, "io");
  util::MetricsRegistry metrics;
  std::unique_ptr<storage::Storage> storage;
  std::unique_ptr<ApiFunction> function;
  try {
    if (l.handler != "api") throw std::invalid_argument("unknown handler '" + l.handler + "' (expected api)");
    storage::StorageOptions options{config.store,
                                    config.serve.store_connections,
                                    std::chrono::milliseconds(config.serve.request_timeout_ms),
                                    log.app,
                                    &loops,
                                    &metrics};
    options.prepare_schema = false;  // CloudFormation owns the tables
    storage = std::make_unique<storage::Storage>(storage::open_storage(options));
    function = std::make_unique<ApiFunction>(config, *storage, metrics, log);
  } catch (const std::exception& e) {
    log.app->critical("init failed: {}", e.what());
    runtime.init_error(lambda::kInitFailed, e.what());
    return 1;
  }
  log.app->info("Lambda runtime ready: handler {}, store {}", l.handler, util::redact_credentials(config.store));
  const int code = lambda::run_invocations(runtime, std::cref(*function), *log.app);
  function.reset();
  storage.reset();  // closes on the loops, which still run
  loops.stop();
  return code;
}

}  // namespace ninja::app
