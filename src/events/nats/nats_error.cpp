#include "events/nats/nats_error.hpp"

#include <fmt/format.h>

namespace ninja::events::nats {

bool is_transient(natsStatus status, int js_code) {
  switch (js_code) {
    case JSClusterNotAvailErr:        // a cluster without a leader right now
    case JSInsufficientResourcesErr:  // disk or memory full: may pass when space is freed
    case JSStreamStoreFailedErr:
      return true;
    default:
      break;
  }
  switch (status) {
    case NATS_IO_ERROR:
    case NATS_CONNECTION_CLOSED:
    case NATS_NO_SERVER:
    case NATS_STALE_CONNECTION:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_TIMEOUT:
    case NATS_NOT_YET_CONNECTED:
    case NATS_INSUFFICIENT_BUFFER:  // the reconnect buffer is full during an outage
    case NATS_NO_RESPONDERS:        // JetStream not (yet) answering, e.g. just after a restart
    case NATS_SLOW_CONSUMER:
    case NATS_DRAINING:
    case NATS_NO_MEMORY:
      return true;
    default:
      return false;
  }
}

std::exception_ptr nats_failure(natsStatus status, std::string_view doing, int js_code, std::string_view detail) {
  std::string message = fmt::format("NATS: {} failed: {}", doing, natsStatus_GetText(status));
  if (detail.empty()) {
    // The last error the library recorded on this thread, when it is about this status.
    natsStatus last = NATS_OK;
    const char* last_text = nats_GetLastError(&last);
    if (last == status && last_text != nullptr) detail = last_text;
  }
  // The library prefixes its details with "(file.c:123): "; the text after it is what matters.
  if (detail.starts_with('(')) {
    if (const size_t end = detail.find("): "); end != std::string_view::npos) detail.remove_prefix(end + 3);
  }
  if (!detail.empty() && detail != natsStatus_GetText(status)) message += fmt::format(" ({})", detail);
  if (js_code != 0) message += fmt::format(" [JetStream error {}]", js_code);
  if (is_transient(status, js_code)) return std::make_exception_ptr(NatsUnavailable(message, status, js_code));
  return std::make_exception_ptr(NatsError(message, status, js_code));
}

void throw_nats(natsStatus status, std::string_view doing, int js_code) {
  std::rethrow_exception(nats_failure(status, doing, js_code));
}

}  // namespace ninja::events::nats
