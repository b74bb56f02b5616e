#pragma once
// The notifier's deliveries table (<P>deliveries, table_layout.hpp) as items and as the bodies of
// the calls on it: a delivery is one item; while an attempt is scheduled it carries `due` (and so
// sits in the sparse `due` index, by next_attempt_at), a dead letter carries `dead` (the `dead`
// index, by updated_at), and a claim is a lease (lease_owner, lease_until) set by a conditional
// UpdateItem. Pure functions, so the conditions are tested without a server.
#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "domain/delivery.hpp"
#include "storage/dynamodb/expiry.hpp"
#include "storage/dynamodb/table_layout.hpp"
#include "util/lease.hpp"

namespace ninja::storage::dynamodb {

// The item of `d`; leased to `lease` when given (a new delivery that needs an attempt). A final one
// (delivered, dead, skipped) carries `expires_at`, expiry.deliveries after its updated_at.
boost::json::object delivery_item(const domain::Delivery& d, const std::optional<util::Lease>& lease,
                                  const Expiry& expiry);
domain::Delivery delivery_from_item(const boost::json::object& item);

// A new delivery: put only if no delivery with its key exists (deduplication by event id).
boost::json::object put_new_delivery(const TableLayout& layout, const Expiry& expiry, const domain::Delivery& d,
                                     const std::optional<util::Lease>& lease);

// Scheduled deliveries due by `now_ms`, earliest first (their leases are checked by the claim).
boost::json::object due_query(const TableLayout& layout, int64_t now_ms);
// Every scheduled delivery, earliest first: for next_due_ms.
boost::json::object scheduled_query(const TableLayout& layout);

// Leases the delivery if it is still due by lease.now_ms and no live lease holds it.
boost::json::object claim_delivery_update(const TableLayout& layout, const std::string& event_id,
                                          const std::string& channel, const util::Lease& lease);

// The outcome of an attempt: the whole item again, without a lease, if the delivery exists.
boost::json::object record_attempt_put(const TableLayout& layout, const Expiry& expiry, const domain::Delivery& d);

// An order's deliveries (the by_order index).
boost::json::object order_deliveries_query(const TableLayout& layout, const std::string& order_id);
// Dead letters, most recently updated first.
boost::json::object dead_query(const TableLayout& layout);
// One event's deliveries, read consistently (its dead ones are replayed).
boost::json::object event_deliveries_query(const TableLayout& layout, const std::string& event_id);

// A dead letter pending again: attempts 0, due at `now_ms`, the last error kept, no longer expiring;
// if still dead.
boost::json::object requeue_update(const TableLayout& layout, const std::string& event_id, const std::string& channel,
                                   int64_t now_ms);

}  // namespace ninja::storage::dynamodb
