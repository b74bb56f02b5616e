#pragma once
// The one failure every layer shares: a store, a bus or a remote service cannot be reached or refused
// the work for a reason that may pass (server down, connection lost, disk full, a timeout). Callers
// retry later: the API answers 503 with Retry-After, the relay and the notifier hold their work.
// Backends throw subclasses of it; the message names the cause for the log, never a credential.
// It lives here, below every layer, so the bus backends and the store port need not know each
// other's folders (domain/errors.hpp names it domain::Unavailable for the domain's callers).
#include <stdexcept>

namespace ninja::util {

class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ninja::util
