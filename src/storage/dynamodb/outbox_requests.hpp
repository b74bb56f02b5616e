#pragma once
// The relay's DynamoDB calls on the outbox table (table_layout.hpp): find unpublished events on
// the sparse `unpublished` index, make sure each is the oldest unpublished event of its subject
// (the index is eventually consistent; the subject's own partition is read consistently), lease
// it with a conditional UpdateItem, and mark it published by removing `pending` — which also
// takes it out of the index. No DynamoDB Streams: a polled sparse index needs nothing but the
// table (and moto's stream iterators go stale after a cancelled transaction).
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "storage/dynamodb/expiry.hpp"
#include "storage/dynamodb/table_layout.hpp"
#include "util/lease.hpp"

namespace ninja::storage::dynamodb {

// Up to `limit` unpublished events, oldest id first.
boost::json::object unpublished_query(const TableLayout& layout, size_t limit);

// The oldest unpublished event of `subject`, read consistently from the subject's partition.
boost::json::object oldest_pending_of_subject_query(const TableLayout& layout, const std::string& subject);

// Leases the event to `lease.owner` until `lease.until_ms`, if it is still unpublished and no live
// lease of another owner holds it at `lease.now_ms` (a relay retrying gets its own claims back;
// ConditionalCheckFailed: another relay was first, or it was published meanwhile). The answer's
// Attributes are the event as it now is.
boost::json::object claim_update(const TableLayout& layout, const std::string& subject, const std::string& event_id,
                                 const util::Lease& lease);

// The unpublished event `event_id` from the index, whose item names its subject (the table's key).
boost::json::object unpublished_event_query(const TableLayout& layout, const std::string& event_id);

// Published: `pending` and the lease go, `published_at` records when, and `expires_at` when the
// table's TTL may delete it (expiry.events after now; none when kept for ever).
boost::json::object mark_published_update(const TableLayout& layout, const Expiry& expiry, const std::string& subject,
                                          const std::string& event_id, int64_t now_ms);

}  // namespace ninja::storage::dynamodb
