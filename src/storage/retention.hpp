#pragma once
// An optional backend capability: forgetting what the pipeline is done with, so the outbox and the
// delivery records stay bounded under sustained load. An outbox event is done once it is published
// and every delivery it caused is final (delivered, dead or skipped, i.e. none is due again); an
// OrderCreated event, which the notifier always records a delivery for, is done only once that
// record exists (on a bus between processes it is published well before a notifier reads it, and a
// purge in between would leave the later record behind for ever). It and its deliveries may then go
// once it is older than the retention. Orders and users are never
// touched. It spans two ports' tables (events::Outbox and notify::DeliveryStore) because the rule
// joins them, so it is a capability of the backend that holds both, not of either port; a backend
// with its own expiry (a table TTL) offers none.
#include <cstddef>
#include <cstdint>

#include "util/completion.hpp"

namespace ninja::storage {

struct Purged {
  size_t events = 0;
  size_t deliveries = 0;
};

class Retention {
 public:
  virtual ~Retention() = default;
  // Deletes up to `limit` done events committed before `before_ms`, oldest first, with their
  // deliveries, in one short transaction: callers purge in small batches so other writes wait for
  // none of them long. Answers what went; fewer than `limit` events means none older is left.
  virtual void purge_done(int64_t before_ms, size_t limit, util::Completion<Purged> done) = 0;
};

}  // namespace ninja::storage
