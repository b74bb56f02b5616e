#include "domain/order_service.hpp"

#include <boost/json/serialize.hpp>

#include "domain/errors.hpp"
#include "domain/representation.hpp"
#include "domain/validation.hpp"

namespace ninja::domain {
namespace {
constexpr std::string_view kSource = "/v1/orders";
}

int64_t order_total(const std::vector<OrderItem>& items) {
  int64_t total = 0;
  for (const auto& item : items) total += item.quantity * item.unit_price;
  return total;
}

CreateResult OrderService::create(const CreateOrder& command, const std::optional<IdempotencyContext>& idempotency) {
  if (auto errors = validate(command); !errors.empty()) throw ValidationError(std::move(errors));

  return creates_.run(idempotency, [&](storage::IdempotencyRecord* record, CreateResult& result) {
    Order order;
    order.id = ids_.next();
    order.user_id = command.user_id;
    order.items = command.items;
    order.currency = command.currency;
    order.total = order_total(order.items);
    order.note = command.note;
    order.created_at_ms = creates_.now_ms();

    const auto json = to_json(order);
    result.id = order.id;
    result.body = boost::json::serialize(json);
    auto event = events::make_event(ids_.next(), events::kOrderCreated, kSource, order.id, order.created_at_ms, json);
    if (record) {
      record->resource_id = result.id;
      record->body = result.body;
    }
    const auto status = store_.create_order(order, event, record);
    if (status == storage::CreateStatus::user_missing) {
      throw ValidationError(std::vector<FieldError>{{"user_id", "no live user has this id"}});
    }
    return status;
  });
}

Order OrderService::get(std::string_view id) {
  if (auto order = store_.find_order(id)) return std::move(*order);
  throw NotFound("no such order");
}

void OrderService::remove(std::string_view id) {
  const Order order = get(id);
  auto event =
      events::make_event(ids_.next(), events::kOrderDeleted, kSource, order.id, creates_.now_ms(), to_json(order));
  if (!store_.delete_order(id, event)) throw NotFound("no such order");
}

storage::Page<Order> OrderService::list(const storage::PageQuery& query, std::optional<std::string_view> user_id) {
  return store_.list_orders(query, user_id);
}

}  // namespace ninja::domain
