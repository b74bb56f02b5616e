#pragma once
// The embedded store: one SQLite file in WAL mode with synchronous=FULL (a commit is on disk
// before the caller hears of it), writes group-committed by one writer thread, reads on a pool.
#include <memory>
#include <string>

#include "domain/store.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

class SqliteStore final : public domain::Store {
 public:
  explicit SqliteStore(std::shared_ptr<SqliteFile> file);

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
  // Queues `work` for the next group commit; `done` follows the commit. `wrote_event` tells from
  // the outcome whether an outbox event was appended, which notifies the relay.
  template <class T>
  void submit(std::function<T(Database&)> work, bool (*wrote_event)(const T&), util::Completion<T> done);

  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
