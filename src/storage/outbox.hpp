#pragma once
// The relay's view of the transactional outbox: claim committed events, publish them, mark them
// published. Several relays may share one outbox; each event is published by one of them at a
// time, in commit order, and an entity's events never overtake each other.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/event.hpp"
#include "storage/lease.hpp"

namespace ninja::storage {

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Claims up to `limit` unpublished events, oldest first, that no other live lease holds and
  // whose subject has no earlier event held by another relay (per-entity order).
  virtual std::vector<events::Event> claim_unpublished(size_t limit, const Lease& lease) = 0;
  // Marks claimed events published (after the bus accepted them).
  virtual void mark_published(const std::vector<std::string>& event_ids, int64_t now_ms) = 0;
  // Commit time of the oldest unpublished event (outbox lag), if any.
  virtual std::optional<int64_t> oldest_unpublished_ms() = 0;
  // Returns once an event may have been committed since the last call, or after `timeout`
  // (a safety net for writers this process cannot see, such as another process).
  virtual void wait_for_events(std::chrono::milliseconds timeout) = 0;
  // Ends a wait_for_events in progress at once (shutdown).
  virtual void wake() = 0;
};

}  // namespace ninja::storage
