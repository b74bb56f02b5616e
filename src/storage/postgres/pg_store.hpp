#pragma once
// The domain's Store on PostgreSQL. Reads are single pipelined statements; writes join the group
// commit (group_commit.hpp) as statements that never raise for an expected conflict: each create
// is one data-modifying statement that claims the idempotency key first, then inserts the entity
// only if the key was free and the email (or the order's user) allows, then its outbox event only
// if the entity went in; what it returns says which step stopped it. Idempotency is decided
// inside the transaction, and concurrent requests across processes are ordered by PostgreSQL's
// unique indexes and row locks.
#include <memory>

#include "domain/store.hpp"
#include "storage/postgres/pg_shared.hpp"

namespace ninja::storage::postgres {

class PgStore final : public domain::Store {
 public:
  explicit PgStore(std::shared_ptr<PgShared> shared);

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
  // A create's statements (see pg_store.cpp) and how its outcome is read from their results.
  void create(std::vector<Statement> statements, const std::optional<domain::IdempotencyRecord>& idempotency,
              domain::CreateStatus refused, util::Completion<domain::CreateOutcome> done);

  std::shared_ptr<PgShared> shared_;
};

}  // namespace ninja::storage::postgres
