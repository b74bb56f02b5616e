#include "storage/store.hpp"

#include <future>

namespace ninja::storage {
namespace {

// Runs an asynchronous write and waits for its completion.
template <class T, class Start>
T wait_for(Start start) {
  std::promise<T> promise;
  auto future = promise.get_future();
  start([&promise](T outcome, std::exception_ptr error) {
    if (error) {
      promise.set_exception(error);
    } else {
      promise.set_value(outcome);
    }
  });
  return future.get();
}

std::optional<IdempotencyRecord> copy(const IdempotencyRecord* record) {
  return record ? std::optional<IdempotencyRecord>(*record) : std::nullopt;
}

}  // namespace

CreateStatus Store::create_user(const domain::User& user, const events::Event& event,
                                const IdempotencyRecord* idempotency) {
  return wait_for<CreateOutcome>(
             [&](Completion<CreateOutcome> done) { create_user(user, event, copy(idempotency), std::move(done)); })
      .status;
}

CreateStatus Store::create_order(const domain::Order& order, const events::Event& event,
                                 const IdempotencyRecord* idempotency) {
  return wait_for<CreateOutcome>(
             [&](Completion<CreateOutcome> done) { create_order(order, event, copy(idempotency), std::move(done)); })
      .status;
}

bool Store::delete_user(std::string_view id, const events::Event& event) {
  return wait_for<bool>([&](Completion<bool> done) { delete_user(std::string(id), event, std::move(done)); });
}

bool Store::delete_order(std::string_view id, const events::Event& event) {
  return wait_for<bool>([&](Completion<bool> done) { delete_order(std::string(id), event, std::move(done)); });
}

}  // namespace ninja::storage
