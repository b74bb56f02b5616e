#pragma once
// The domain's Store on DynamoDB (layout: table_layout.hpp). Every create and delete is ONE
// TransactWriteItems (transact_requests.hpp): the entity, the email claim, the outbox event and the
// idempotency record, each with its condition, so the service decides conflicts atomically and
// across processes; the CancellationReasons say which condition failed (409 email taken, 422
// unknown user, or a live idempotency key, whose record is then read back consistently for the
// replay). Each transaction carries a ClientRequestToken made from its event id, so a retry after
// a lost answer (AwsClient retries transport failures and 5xx) finds the commit instead of failing
// its own conditions. A TransactionConflict (another transaction held one of the items at that
// moment) is tried again a few times with a fresh token; throttling becomes domain::Unavailable.
//
// Reads are single strongly consistent GetItems (a GET right after its 201 finds the entity) and
// index Queries for pages (eventually consistent on AWS: a new item may join a listing a moment
// after its 201). Limits (item and key sizes) are checked before a write goes out.
#include <memory>

#include "domain/store.hpp"
#include "storage/dynamodb/dynamodb_shared.hpp"

namespace ninja::storage::dynamodb {

class DynamoDbStore final : public domain::Store {
 public:
  explicit DynamoDbStore(std::shared_ptr<DynamoDbShared> shared);

  void ready(util::Completion<bool> done) override;
  void create_user(domain::User user, events::Event event, std::optional<domain::IdempotencyRecord> idempotency,
                   util::Completion<domain::CreateOutcome> done) override;
  void create_order(domain::Order order, events::Event event, std::optional<domain::IdempotencyRecord> idempotency,
                    util::Completion<domain::CreateOutcome> done) override;
  void delete_user(std::string id, events::Event event, util::Completion<bool> done) override;
  void delete_order(std::string id, events::Event event, util::Completion<bool> done) override;
  void find_user(std::string id, util::Completion<std::optional<domain::User>> done) override;
  void find_order(std::string id, util::Completion<std::optional<domain::Order>> done) override;
  void find_user_by_email(std::string email, util::Completion<std::optional<domain::User>> done) override;
  void list_users(domain::PageQuery query, util::Completion<domain::Page<domain::User>> done) override;
  void list_orders(domain::PageQuery query, std::optional<std::string> user_id,
                   util::Completion<domain::Page<domain::Order>> done) override;
  void find_idempotency(std::string scope, std::string key, int64_t now_ms,
                        util::Completion<std::optional<domain::IdempotencyRecord>> done) override;
  void purge_idempotency(int64_t now_ms, util::Completion<size_t> done) override;

 private:
  std::shared_ptr<DynamoDbShared> shared_;
};

// The ClientRequestToken of a write's `attempt`-th transaction (0 first): 36 hex digits derived
// from the event id, the same for the AwsClient's retries of one attempt, new for the next attempt.
std::string request_token(const std::string& event_id, int attempt);

}  // namespace ninja::storage::dynamodb
