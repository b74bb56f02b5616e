#pragma once
#include <functional>
#include <optional>
#include <string>

#include "domain/commands.hpp"
#include "domain/idempotent_create.hpp"
#include "domain/store.hpp"
#include "util/uuid.hpp"

namespace ninja::domain {

class OrderService {
 public:
  OrderService(Store& store, util::UuidV7Generator& ids, IdempotentCreate& creates)
      : store_(store), ids_(ids), creates_(creates) {}

  // Throws ValidationError for an invalid command (and may throw a store failure that happens
  // before the commit is queued); everything later (an unknown user as a
  // ValidationError, the idempotency errors, store failures) arrives through `done`.
  void create(const CreateOrder& command, const std::optional<IdempotencyContext>& idempotency, CreateDone done);
  // The order, or NotFound.
  void get(std::string id, util::Completion<Order> done);
  // The order's JSON as GET shows it (serialize(to_json(order))), or NotFound.
  void get_json(std::string id, util::Completion<std::string> done);
  // Deletes the order (and records ninja.order.deleted); NotFound when there is no such order.
  void remove(std::string id, util::Done done);
  // All orders, or those of `user_id`, newest first.
  void list(PageQuery query, std::optional<std::string> user_id, util::Completion<Page<Order>> done);

 private:
  Store& store_;
  util::UuidV7Generator& ids_;
  IdempotentCreate& creates_;
};

// Σ quantity × unit_price; exact because validated items bound it by 10^13.
int64_t order_total(const std::vector<OrderItem>& items);

}  // namespace ninja::domain
