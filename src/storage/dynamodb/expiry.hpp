#pragma once
// Retention on DynamoDB (`serve --retention-days`): instead of a sweep (storage::Retention, which
// this backend does not offer), each done item carries `expires_at`, the epoch second after which
// the table's time to live deletes it (`migrate` enables TTL on the outbox and deliveries tables;
// DynamoDB deletes expired items lazily, typically within days, at no write cost).
//
// The done-rule (storage/retention.hpp) stamps each table by itself, so no item depends on another:
//   - a published outbox event expires `events` after it was published (mark_published);
//   - a delivery record expires `deliveries` after its outcome became final — delivered, dead or
//     skipped, its updated_at — and a requeued dead letter loses its stamp: it is due again.
// Nothing pending carries one: an unpublished event or a scheduled delivery stays until it is done.
// The SQL backends keep an OrderCreated event until its delivery record exists, because their purge
// starts from the event and would leave a record written later behind for ever; here a record
// written after its event expired expires by its own stamp, and nothing reads a published event.
//
// The delivery record is also the notifier's deduplication by event id: should a bus message come
// again after its record expired, it would be notified twice. A message comes again only while the
// bus still holds it, and its record becomes final only after the message was sent; so records are
// kept at least kRedeliveryHorizon, the longest any of our buses holds a message (SQS's largest
// MessageRetentionPeriod, which events/sns/bus_setup.hpp's QueueSettings use; JetStream's stream
// keeps 7 days), whatever shorter retention is asked for. Published events need no such floor: the
// relay never publishes one again. Beyond the bound: a message an operator moves back from the
// dead-letter queue (its FIFO clock restarts there) after its record expired is notified again.
#include <chrono>
#include <cstdint>
#include <optional>

namespace ninja::storage::dynamodb {

constexpr std::chrono::seconds kRedeliveryHorizon{14 * 24 * 3600};
constexpr const char* kExpiresAt = "expires_at";  // every TTL attribute of the layout (epoch seconds)

struct Expiry {
  std::chrono::milliseconds events{0};      // a published outbox event is kept this long; 0: for ever
  std::chrono::milliseconds deliveries{0};  // a final delivery record is kept this long; 0: for ever
};

// The expiry of a retention (0 or less: keep everything), records kept at least kRedeliveryHorizon.
Expiry expiry_for(std::chrono::milliseconds retention);

// `expires_at` of an item done at `done_ms` and kept `keep`, rounded up to the second (TTL reads
// seconds: an item never goes before its retention has passed); nullopt when kept for ever.
std::optional<int64_t> expires_at(int64_t done_ms, std::chrono::milliseconds keep);

}  // namespace ninja::storage::dynamodb
