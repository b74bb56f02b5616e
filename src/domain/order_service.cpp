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

void OrderService::create(const CreateOrder& command, const std::optional<IdempotencyContext>& idempotency,
                          CreateDone done) {
  if (auto errors = validate(command); !errors.empty()) throw ValidationError(std::move(errors));

  Order order;
  order.id = ids_.next();
  order.user_id = command.user_id;
  order.items = command.items;
  order.currency = command.currency;
  order.total = order_total(order.items);
  order.note = command.note;
  order.created_at_ms = creates_.now_ms();

  CreateResult prepared{order.id, boost::json::serialize(to_json(order)), false};
  auto event = events::make_event(ids_.next(), events::kOrderCreated, kSource, order.id, order.created_at_ms,
                                  prepared.body);
  creates_.run(
      idempotency, std::move(prepared),
      [&](std::optional<storage::IdempotencyRecord> record, storage::Completion<storage::CreateOutcome> committed) {
        store_.create_order(std::move(order), std::move(event), std::move(record), std::move(committed));
      },
      std::move(done));
}

Order OrderService::get(std::string_view id) {
  if (auto order = store_.find_order(id)) return std::move(*order);
  throw NotFound("no such order");
}

void OrderService::remove(std::string_view id, std::function<void(std::exception_ptr error)> done) {
  Order order = get(id);
  auto event =
      events::make_event(ids_.next(), events::kOrderDeleted, kSource, order.id, creates_.now_ms(),
                         boost::json::serialize(to_json(order)));
  store_.delete_order(std::move(order.id), std::move(event), [done = std::move(done)](bool deleted, std::exception_ptr error) {
    if (!error && !deleted) error = std::make_exception_ptr(NotFound("no such order"));
    done(error);
  });
}

storage::Page<Order> OrderService::list(const storage::PageQuery& query, std::optional<std::string_view> user_id) {
  return store_.list_orders(query, user_id);
}

}  // namespace ninja::domain
