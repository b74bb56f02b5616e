#pragma once
// The outbox on SQLite. Claims go through the file's single writer, so two relays (even in two
// processes) never claim the same event; the event signal wakes a relay in this process the moment
// a create or delete commits.
#include <memory>

#include "storage/outbox.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

class SqliteOutbox final : public Outbox {
 public:
  explicit SqliteOutbox(std::shared_ptr<SqliteFile> file) : file_(std::move(file)) {}

  std::vector<events::Event> claim_unpublished(size_t limit, const Lease& lease) override;
  void mark_published(const std::vector<std::string>& event_ids, int64_t now_ms) override;
  std::optional<int64_t> oldest_unpublished_ms() override;
  void wait_for_events(std::chrono::milliseconds timeout) override;
  void wake() override { file_->events_committed().notify(); }

 private:
  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
