#pragma once
// The embedded store: one SQLite file in WAL mode with synchronous=FULL (a commit is on disk
// before the caller hears of it), writes group-committed by one writer thread, reads on a pool.
#include <memory>
#include <string>

#include "storage/sqlite/sqlite_file.hpp"
#include "storage/store.hpp"

namespace ninja::storage::sqlite {

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::shared_ptr<SqliteFile> file);
  // Opens its own file (for tools and tests).
  explicit SqliteStore(const SqliteOptions& options);

  bool ready() override;
  using Store::create_order;
  using Store::create_user;
  using Store::delete_order;
  using Store::delete_user;
  void create_user(domain::User user, events::Event event, std::optional<IdempotencyRecord> idempotency,
                   Completion<CreateOutcome> done) override;
  void create_order(domain::Order order, events::Event event, std::optional<IdempotencyRecord> idempotency,
                    Completion<CreateOutcome> done) override;
  void delete_user(std::string id, events::Event event, Completion<bool> done) override;
  void delete_order(std::string id, events::Event event, Completion<bool> done) override;
  std::optional<domain::User> find_user(std::string_view id) override;
  std::optional<domain::Order> find_order(std::string_view id) override;
  Page<domain::User> list_users(const PageQuery& query) override;
  Page<domain::Order> list_orders(const PageQuery& query, std::optional<std::string_view> user_id) override;
  std::optional<IdempotencyRecord> find_idempotency(std::string_view scope, std::string_view key,
                                                    int64_t now_ms) override;
  size_t purge_idempotency(int64_t now_ms) override;
  std::vector<events::Event> unpublished_events(size_t limit) override;

  uint64_t commit_batches() const { return file_->writer().batches(); }

 private:
  // Queues `work` for the next group commit; `done` follows the commit. `wrote_event` tells from
  // the outcome whether an outbox event was appended, which wakes the relay.
  template <class T>
  void submit(std::function<T(Database&)> work, bool (*wrote_event)(const T&), Completion<T> done);

  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
