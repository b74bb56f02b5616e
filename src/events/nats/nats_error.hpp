#pragma once
// Failures of the NATS client as exceptions. What may pass by itself (a lost connection, a server
// that is restarting, a timeout, JetStream briefly unable to store) is NatsUnavailable, a
// util::Unavailable, so callers retry and the API answers 503; everything else (a malformed URL,
// a stream that conflicts with another, a refused login) is NatsError and needs a person.
#include <nats/nats.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "util/unavailable.hpp"

namespace ninja::events::nats {

// Both kinds carry the library's status and, for JetStream API calls, the server's error code.
template <class Base>
class NatsFailure : public Base {
 public:
  NatsFailure(const std::string& message, natsStatus status, int js_code)
      : Base(message), status_(status), js_code_(js_code) {}
  natsStatus status() const { return status_; }
  int js_code() const { return js_code_; }  // 0 when the server sent none

 private:
  natsStatus status_;
  int js_code_;
};

using NatsError = NatsFailure<std::runtime_error>;
using NatsUnavailable = NatsFailure<util::Unavailable>;

// True for failures that a later retry may not see: connection, timeout and capacity problems.
bool is_transient(natsStatus status, int js_code);

// The exception for a failed call: `doing` says what was attempted ("publish to ninja.order.created");
// the message adds the library's text and `detail`, by default the library's last error on this thread.
std::exception_ptr nats_failure(natsStatus status, std::string_view doing, int js_code = 0,
                                std::string_view detail = {});

[[noreturn]] void throw_nats(natsStatus status, std::string_view doing, int js_code = 0);

inline void check(natsStatus status, std::string_view doing, jsErrCode js_code = static_cast<jsErrCode>(0)) {
  if (status != NATS_OK) throw_nats(status, doing, js_code);
}

}  // namespace ninja::events::nats
