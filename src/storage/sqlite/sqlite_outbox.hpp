#pragma once
// The outbox on SQLite. Claims go through the file's single writer, so two relays (even in two
// processes) never claim the same event; commit notices wake a relay in this process the moment
// a create or delete commits.
#include <memory>

#include "events/outbox.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

class SqliteOutbox final : public events::Outbox {
 public:
  explicit SqliteOutbox(std::shared_ptr<SqliteFile> file) : file_(std::move(file)) {}

  void claim(size_t limit, util::Lease lease, util::Completion<std::vector<events::Event>> done) override;
  // A read on a reader connection: the one writer does no work for it.
  void peek_pending(size_t limit, util::Lease lease, util::Completion<std::vector<events::Event>> done) override;
  void mark_published(std::vector<std::string> event_ids, int64_t now_ms, util::Done done) override;
  void oldest_unpublished_ms(util::Completion<std::optional<int64_t>> done) override;
  std::unique_ptr<events::Subscription> watch_commits(std::function<void()> notice) override;

 private:
  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
