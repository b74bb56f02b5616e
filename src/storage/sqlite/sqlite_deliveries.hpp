#pragma once
// Notification deliveries on SQLite: writes through the file's group-commit writer (concurrent
// attempt results share one fsync), reads on its pool.
#include <memory>

#include "notify/delivery_store.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

class SqliteDeliveries final : public notify::DeliveryStore {
 public:
  explicit SqliteDeliveries(std::shared_ptr<SqliteFile> file) : file_(std::move(file)) {}

  void add_deliveries(std::vector<domain::Delivery> deliveries, util::Lease lease,
                      util::Completion<std::vector<bool>> done) override;
  void claim_due(size_t limit, util::Lease lease, util::Completion<std::vector<domain::Delivery>> done) override;
  void record_attempt(domain::Delivery delivery, util::Done done) override;
  void deliveries_for_order(std::string order_id, util::Completion<std::vector<domain::Delivery>> done) override;
  void dead_deliveries(size_t limit, util::Completion<std::vector<domain::Delivery>> done) override;
  void requeue_dead(std::optional<std::string> event_id, int64_t now_ms, util::Completion<size_t> done) override;
  void next_due_ms(util::Completion<std::optional<int64_t>> done) override;

 private:
  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
