#pragma once
#include <functional>
#include <optional>
#include <string_view>

#include "domain/commands.hpp"
#include "domain/idempotent_create.hpp"
#include "storage/store.hpp"
#include "util/uuid.hpp"

namespace ninja::domain {

class OrderService {
 public:
  OrderService(storage::Store& store, util::UuidV7Generator& ids, IdempotentCreate& creates)
      : store_(store), ids_(ids), creates_(creates) {}

  // Throws ValidationError for an invalid command (and may throw a store failure that happens
  // before the commit is queued); everything later (an unknown user as a
  // ValidationError, the idempotency errors, store failures) arrives through `done`.
  void create(const CreateOrder& command, const std::optional<IdempotencyContext>& idempotency, CreateDone done);
  Order get(std::string_view id);  // throws NotFound
  // Throws NotFound when there is no such order; `done` gets NotFound if it vanished meanwhile.
  void remove(std::string_view id, std::function<void(std::exception_ptr error)> done);
  storage::Page<Order> list(const storage::PageQuery& query, std::optional<std::string_view> user_id);

 private:
  storage::Store& store_;
  util::UuidV7Generator& ids_;
  IdempotentCreate& creates_;
};

// Σ quantity × unit_price; exact because validated items bound it by 10^13.
int64_t order_total(const std::vector<OrderItem>& items);

}  // namespace ninja::domain
