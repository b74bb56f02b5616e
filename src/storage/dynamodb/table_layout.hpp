#pragma once
// Where the DynamoDB backend keeps what: table, key and index names, all in one place so the
// store, `migrate` (which creates them) and the README's layout table cannot drift apart.
//
//   <P>users        PK id (S). A user item per user; plus one email claim per live user, keyed
//                   "email#<lower-cased email>", which makes the email unique (its Put carries
//                   attribute_not_exists(id) inside the create's transaction).
//                   GSI newest: PK kind (S, "user" on user items only: claims stay out), SK id (S)
//                   — all users newest first (UUIDv7 ids sort by creation time).
//   <P>orders       PK id (S), as the original. GSI by_user: PK user_id, SK id — a user's orders,
//                   newest first. GSI newest: PK kind ("order"), SK id — all orders.
//   <P>idempotency  PK id (S) "<scope>#<key>", TTL attribute expires_at (epoch seconds), as the
//                   original's idempotency table; reads also check expiry (TTL deletes lazily).
//   <P>outbox       PK subject (S, the entity id), SK id (S, the event id: per-subject order).
//                   Sparse GSI unpublished: PK pending (S, "1" until published, then removed),
//                   SK id — what the relay claims, oldest first. TTL attribute expires_at (epoch
//                   seconds), set when published if a retention is on (expiry.hpp).
//   <P>deliveries   PK event_id (S), SK channel (S): one per notification (dedup by event id).
//                   Sparse GSI due: PK due (S, "1" while an attempt is scheduled), SK
//                   next_attempt_at (N) — what notifiers claim, earliest first. Sparse GSI dead:
//                   PK dead (S, "1" on dead letters), SK updated_at (N) — newest first. GSI
//                   by_order: PK order_id, SK event_id — an order's notifications. TTL attribute
//                   expires_at, set on a final outcome if a retention is on (expiry.hpp).
//   <P>api_keys     PK id (S): hashes and usage plans; servers read the few items with a Scan.
//
// The constant partition keys of the `newest` indexes are a deliberate trade: one partition
// serves "list everything newest first", which DynamoDB otherwise cannot (a Scan has no order);
// such an index partition takes about 1,000 writes/s, which caps creates per second of that kind.
#include <string>

namespace ninja::storage::dynamodb {

struct TableLayout {
  explicit TableLayout(const std::string& prefix)
      : users(prefix + "users"),
        orders(prefix + "orders"),
        idempotency(prefix + "idempotency"),
        outbox(prefix + "outbox"),
        deliveries(prefix + "deliveries"),
        api_keys(prefix + "api_keys") {}

  std::string users;
  std::string orders;
  std::string idempotency;
  std::string outbox;
  std::string deliveries;
  std::string api_keys;

  static constexpr const char* kNewestIndex = "newest";
  static constexpr const char* kByUserIndex = "by_user";
  static constexpr const char* kUnpublishedIndex = "unpublished";
  static constexpr const char* kDueIndex = "due";
  static constexpr const char* kDeadIndex = "dead";
  static constexpr const char* kByOrderIndex = "by_order";
  static constexpr const char* kUserKind = "user";
  static constexpr const char* kOrderKind = "order";
  static constexpr const char* kPending = "1";  // the value of every sparse index's partition key
};

// DynamoDB's limits that the store checks before a call, so a request that could never be
// written gets a clear error instead of a ValidationException from the service.
constexpr size_t kMaxItemBytes = size_t{400} * 1024;
constexpr size_t kMaxPartitionKeyBytes = 2048;
constexpr size_t kMaxSortKeyBytes = 1024;
constexpr size_t kMaxTransactItems = 100;

}  // namespace ninja::storage::dynamodb
