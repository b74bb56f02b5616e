#pragma once
// The relay's view of the transactional outbox: claim committed events, publish them, mark them
// published. Several relays may share one outbox. The promise is at-least-once and per-subject
// order — an entity's events never overtake each other — not a global commit order (a PostgreSQL
// sequence is not commit order; DynamoDB has none).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/event.hpp"
#include "events/subscription.hpp"
#include "util/completion.hpp"
#include "util/lease.hpp"

namespace ninja::events {

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Claims up to `limit` unpublished events that no other live lease holds, each the oldest
  // unpublished event of its subject (so a batch holds at most one event per entity, and a
  // later event waits until the earlier one is published). An event committed after a claim
  // that ran before it is claimed by a later claim: none is skipped.
  virtual void claim(size_t limit, util::Lease lease, util::Completion<std::vector<Event>> done) = 0;
  // The same claim for the named subjects only: each one's oldest unpublished event, if no other
  // live lease holds it. For a relay told which entities just committed (a Lambda function woken by
  // the outbox table's stream): a backend whose pending index may lag behind a commit (DynamoDB's
  // global secondary indexes) reads those entities directly, so a fresh event is never invisible.
  // The default claims as claim() does, up to one event per subject named.
  virtual void claim_subjects(std::vector<std::string> subjects, util::Lease lease,
                              util::Completion<std::vector<Event>> done) {
    claim(subjects.size(), std::move(lease), std::move(done));
  }
  // What claim() would return, the oldest unpublished event of each subject, without claiming it,
  // so another relay may publish it too. For a relay whose bus hands each event, inside publish(),
  // to consumers that record it and ignore a copy they already have (the in-process bus and the
  // notifier's delivery table): a claim is then only a write that protects nothing. The default
  // claims, for backends without a cheaper read.
  virtual void peek_pending(size_t limit, util::Lease lease, util::Completion<std::vector<Event>> done) {
    claim(limit, std::move(lease), std::move(done));
  }
  // Marks claimed events published (after the bus accepted them).
  virtual void mark_published(std::vector<std::string> event_ids, int64_t now_ms, util::Done done) = 0;
  // Commit time of the oldest unpublished event (outbox lag), if any.
  virtual void oldest_unpublished_ms(util::Completion<std::optional<int64_t>> done) = 0;

  // An optional capability: calls `notice` (quickly, on a backend thread) whenever events may
  // have been committed — SQLite from its writer, PostgreSQL through LISTEN/NOTIFY. Relays poll at
  // a bounded interval in any case and are correct without it; with it they publish sooner.
  // nullptr when the backend has no such signal.
  virtual std::unique_ptr<Subscription> watch_commits(std::function<void()> notice) {
    (void)notice;
    return nullptr;
  }
};

}  // namespace ninja::events
