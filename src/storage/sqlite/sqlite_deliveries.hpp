#pragma once
// Notification deliveries on SQLite: writes through the file's group-commit writer (concurrent
// attempt results share one fsync), reads on its pool.
#include <memory>

#include "storage/delivery_store.hpp"
#include "storage/sqlite/sqlite_file.hpp"

namespace ninja::storage::sqlite {

class SqliteDeliveries final : public DeliveryStore {
 public:
  explicit SqliteDeliveries(std::shared_ptr<SqliteFile> file) : file_(std::move(file)) {}

  std::vector<bool> add_deliveries(const std::vector<domain::Delivery>& deliveries, const Lease& lease) override;
  std::vector<domain::Delivery> claim_due(size_t limit, const Lease& lease) override;
  void record_attempt(const domain::Delivery& delivery) override;
  std::vector<domain::Delivery> deliveries_for_order(std::string_view order_id) override;
  std::vector<domain::Delivery> dead_deliveries(size_t limit) override;
  size_t requeue_dead(std::optional<std::string_view> event_id, int64_t now_ms) override;
  std::optional<int64_t> next_due_ms() override;

 private:
  std::shared_ptr<SqliteFile> file_;
};

}  // namespace ninja::storage::sqlite
