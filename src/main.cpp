// Entry point: parse the command line, set up logging, run the command.
#include <iostream>

#include <spdlog/logger.h>

#include "app/admin_commands.hpp"
#include "app/api_key_commands.hpp"
#include "app/lambda_command.hpp"
#include "app/serve.hpp"
#include "config/config.hpp"
#include "util/logging.hpp"

int main(int argc, char** argv) {
  using namespace ninja;
  const auto parsed = config::parse(argc, argv);
  if (!parsed.config) return parsed.exit_code;
  const auto& config = *parsed.config;
  util::Loggers log;
  try {
    log = util::make_loggers(config.log_level, config.access_log);
    switch (config.command) {
      case config::Command::serve:
        return app::serve(config, log);
      case config::Command::lambda:
        return app::run_lambda(config, log);
      case config::Command::migrate:
        return app::migrate(config, log);
      case config::Command::backup:
        return app::backup(config, log);
      case config::Command::dlq_list:
        return app::dlq_list(config, std::cout, log);
      case config::Command::dlq_replay:
        return app::dlq_replay(config, std::cout, log);
      case config::Command::apikey_create:
        return app::apikey_create(config, std::cout, log);
      case config::Command::apikey_list:
        return app::apikey_list(config, std::cout, log);
      case config::Command::apikey_revoke:
        return app::apikey_revoke(config, std::cout, log);
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
