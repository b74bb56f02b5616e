#pragma once
// The relay's outbox on DynamoDB (the <P>outbox table: key subject + event id, sparse index
// `unpublished`). A claim walks the index oldest first, takes each subject at most once, reads that
// subject's partition consistently to find its oldest pending event (the index may lag) and leases
// it with a conditional UpdateItem: relays in several processes never hold the same event, a
// crashed relay's leases run out, and an entity's later event waits until its earlier one is
// published. Publishing removes `pending`, which takes the event out of the index.
//
// No DynamoDB Streams (moto's stream iterators go stale after a cancelled transaction): relays
// poll, and this process's own commits wake them at once (watch_commits).
#include <memory>

#include "events/outbox.hpp"
#include "storage/dynamodb/dynamodb_shared.hpp"

namespace ninja::storage::dynamodb {

class DynamoDbOutbox final : public events::Outbox {
 public:
  explicit DynamoDbOutbox(std::shared_ptr<DynamoDbShared> shared);

  void claim(size_t limit, util::Lease lease, util::Completion<std::vector<events::Event>> done) override;
  // Leases each subject's oldest pending event after a consistent read of its partition, skipping
  // the index (which lags behind commits).
  void claim_subjects(std::vector<std::string> subjects, util::Lease lease,
                      util::Completion<std::vector<events::Event>> done) override;
  // mark_published names events by id; the table's key is subject + id. The subjects of this
  // relay's claims are remembered; any other id is looked up on the index first.
  void mark_published(std::vector<std::string> event_ids, int64_t now_ms, util::Done done) override;
  void oldest_unpublished_ms(util::Completion<std::optional<int64_t>> done) override;
  std::unique_ptr<events::Subscription> watch_commits(std::function<void()> notice) override;

  struct Subjects;  // event id -> subject, of this outbox's claims

 private:
  std::shared_ptr<DynamoDbShared> shared_;
  std::shared_ptr<Subjects> subjects_;
};

}  // namespace ninja::storage::dynamodb
