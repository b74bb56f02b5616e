#include "domain/order_service.hpp"

#include <boost/json/serialize.hpp>

#include "domain/errors.hpp"
#include "domain/representation.hpp"
#include "domain/validation.hpp"

namespace ninja::domain {
namespace {
constexpr std::string_view kOrdersSource = "/v1/orders";
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
  auto event = events::make_event(ids_.next(), events::kOrderCreated, kOrdersSource, order.id, order.created_at_ms,
                                  prepared.body);
  creates_.run(
      idempotency, std::move(prepared),
      [&](std::optional<IdempotencyRecord> record, util::Completion<CreateOutcome> committed) {
        store_.create_order(std::move(order), std::move(event), std::move(record), std::move(committed));
      },
      std::move(done));
}

void OrderService::get(std::string id, util::Completion<Order> done) {
  store_.find_order(std::move(id), [done = std::move(done)](std::optional<Order> found, std::exception_ptr error) {
    if (!error && !found) error = std::make_exception_ptr(NotFound("no such order"));
    done(found ? std::move(*found) : Order{}, error);
  });
}

void OrderService::get_json(std::string id, util::Completion<std::string> done) {
  store_.find_order_json(std::move(id),
                         [done = std::move(done)](std::optional<std::string> found, std::exception_ptr error) {
                           if (!error && !found) error = std::make_exception_ptr(NotFound("no such order"));
                           done(found ? std::move(*found) : std::string(), error);
                         });
}

void OrderService::remove(std::string id, util::Done done) {
  // The event carries the entity as it was, so the order is read first; the delete itself decides
  // (false: it vanished meanwhile).
  store_.find_order(std::move(id),
                    [this, done = std::move(done)](std::optional<Order> found, std::exception_ptr error) mutable {
                      if (error) return done(error);
                      if (!found) return done(std::make_exception_ptr(NotFound("no such order")));
                      auto event = events::make_event(ids_.next(), events::kOrderDeleted, kOrdersSource, found->id,
                                                      creates_.now_ms(), boost::json::serialize(to_json(*found)));
                      store_.delete_order(std::move(found->id), std::move(event),
                                          [done = std::move(done)](bool deleted, std::exception_ptr error) {
                                            if (!error && !deleted)
                                              error = std::make_exception_ptr(NotFound("no such order"));
                                            done(error);
                                          });
                    });
}

void OrderService::list(PageQuery query, std::optional<std::string> user_id, util::Completion<Page<Order>> done) {
  store_.list_orders(std::move(query), std::move(user_id), std::move(done));
}

}  // namespace ninja::domain
