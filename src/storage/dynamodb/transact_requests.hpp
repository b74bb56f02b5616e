#pragma once
// The bodies of the DynamoDB calls that write: every create and delete is one TransactWriteItems
// (entity, email claim, outbox event, idempotency record, each with its condition), and the
// meaning of its CancellationReasons. Pure functions of the domain values, so the conditions are
// tested without a server and the store only sends what these build.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>

#include "domain/order.hpp"
#include "domain/store.hpp"
#include "domain/user.hpp"
#include "events/event.hpp"
#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

// The positions of the parts in a create's TransactItems, which CancellationReasons follow.
struct CreateParts {
  size_t entity = 0;
  std::optional<size_t> email_claim;  // users only
  std::optional<size_t> user_check;   // orders only: the user must exist
  std::optional<size_t> idempotency;  // when the create carries a key
};

struct TransactRequest {
  boost::json::object body;  // TransactWriteItems' JSON
  CreateParts parts;
};

// `now_ms` decides which idempotency records are live: an expired one (TTL deletes lazily) may be
// overwritten; a live one cancels the transaction.
TransactRequest create_user_request(const TableLayout& layout, const domain::User& user, const events::Event& event,
                                    const std::optional<domain::IdempotencyRecord>& idempotency, int64_t now_ms);
TransactRequest create_order_request(const TableLayout& layout, const domain::Order& order, const events::Event& event,
                                     const std::optional<domain::IdempotencyRecord>& idempotency, int64_t now_ms);

// Deletes the user, its email claim and writes the event, if the user still has `email` (read just
// before: a concurrent delete makes the condition fail and the delete reports "not found").
boost::json::object delete_user_request(const TableLayout& layout, const std::string& user_id, const std::string& email,
                                        const events::Event& event);
boost::json::object delete_order_request(const TableLayout& layout, const std::string& order_id,
                                         const events::Event& event);

// What a TransactionCanceledException's CancellationReasons mean for a create. A live idempotency
// record wins (the caller replays it); then a taken email; then a missing user. nullopt: a reason
// that is no conflict of ours (TransactionConflict, throttling, validation) — the caller treats it
// as a failure of the call (retry or 503), never as a domain answer.
std::optional<domain::CreateStatus> create_conflict(const boost::json::value& cancellation_reasons,
                                                    const CreateParts& parts);

}  // namespace ninja::storage::dynamodb
