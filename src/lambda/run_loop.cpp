#include "lambda/run_loop.hpp"

#include <spdlog/logger.h>

#include "lambda/runtime_client.hpp"

namespace ninja::lambda {
namespace {

void log_reply(ReplyOutcome outcome, const Invocation& invocation, spdlog::logger& log) {
  if (outcome == ReplyOutcome::too_late) {
    log.warn("invocation {}: the reply came after its deadline; Lambda has moved on", invocation.request_id);
  } else if (outcome == ReplyOutcome::refused) {
    log.error("invocation {}: the Runtime API refused the reply", invocation.request_id);
  }
}

}  // namespace

int run_invocations(RuntimeClient& client, const InvocationHandler& handler, spdlog::logger& log) {
  try {
    for (;;) {
      const Invocation invocation = client.next();
      std::string response;
      std::string error_type;
      std::string message;
      try {
        response = handler(invocation);
      } catch (const InvocationError& e) {
        error_type = e.type();
        message = e.what();
      } catch (const std::exception& e) {
        error_type = kHandlerFailed;
        message = e.what();
      }
      if (error_type.empty()) {
        log_reply(client.respond(invocation, response), invocation, log);
      } else {
        log.warn("invocation {} failed ({}): {}", invocation.request_id, error_type, message);
        log_reply(client.fail(invocation, error_type, message), invocation, log);
      }
    }
  } catch (const RuntimeApiError& e) {
    log.critical("Lambda Runtime API: {}", e.what());
  }
  return 1;
}

}  // namespace ninja::lambda
