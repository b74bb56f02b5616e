#pragma once
// The embedded store: one SQLite file in WAL mode with synchronous=FULL (a commit is on disk
// before the caller hears of it), writes group-committed by one writer thread, reads on a pool.
#include <memory>
#include <string>

#include "storage/sqlite/group_commit.hpp"
#include "storage/sqlite/reader_pool.hpp"
#include "storage/store.hpp"

namespace ninja::storage::sqlite {

struct SqliteOptions {
  std::string path;
  size_t readers = 8;       // read connections; match the number of worker threads
  size_t max_batch = 256;   // writes per group commit
};

class SqliteStore final : public Store {
 public:
  // Opens the file, applies pending migrations and starts the writer.
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

  uint64_t commit_batches() const { return writer_->batches(); }

 private:
  // Queues `work` (which computes an outcome) for the next group commit; `done` gets the outcome
  // once it is durable.
  template <class T>
  void submit(std::function<T(Database&)> work, Completion<T> done);

  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<ReaderPool> readers_;
};

// Opens a write connection with the durability settings every writer of the file must use.
std::unique_ptr<Database> open_writer(const std::string& path);

}  // namespace ninja::storage::sqlite
