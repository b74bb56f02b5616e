#pragma once
// Which unpublished events a claim tries to lease, decided from what the relay has read: the
// `unpublished` index oldest first (eventually consistent: it may lag behind the table), then
// each candidate subject's own partition read consistently, whose oldest pending event is the only
// one of that subject a claim may take. Pure functions of the items, so the rules are unit-tested.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/lease.hpp"

namespace ninja::storage::dynamodb {

// An outbox item that no live lease of another owner holds at `lease.now_ms` (the owner's own
// live leases count as free: a relay retrying a failed publish gets its claims back).
bool free_for(const boost::json::object& item, const util::Lease& lease);

// From index items (oldest first), up to `limit` subjects not in `seen`, each with its first item
// seen here; every subject looked at joins `seen`. A subject whose first item is held by another
// relay is skipped: its later events must wait for that one.
std::vector<std::string> candidate_subjects(const boost::json::array& index_items, const util::Lease& lease,
                                            size_t limit, std::set<std::string>& seen);

// The event to lease from a subject's pending items (oldest first, read consistently): the oldest,
// if it is free for `lease`; nullopt when the subject has none pending or its oldest is held.
std::optional<boost::json::object> claimable(const boost::json::array& subject_items, const util::Lease& lease);

}  // namespace ninja::storage::dynamodb
