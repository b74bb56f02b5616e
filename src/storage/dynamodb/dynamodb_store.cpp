#include "storage/dynamodb/dynamodb_store.hpp"

#include <boost/json/array.hpp>

#include "domain/errors.hpp"
#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/cancellation.hpp"
#include "storage/dynamodb/idempotency_purge.hpp"
#include "storage/dynamodb/items.hpp"
#include "storage/dynamodb/query_pages.hpp"
#include "storage/dynamodb/read_requests.hpp"
#include "storage/dynamodb/transact_requests.hpp"
#include "storage/dynamodb/write_limits.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

using domain::CreateOutcome;
using domain::CreateStatus;

namespace {

// Runs `read` on the answer of one call; its exceptions become the completion's error.
template <class T, class Read>
void call_and_read(DynamoDbShared* shared, std::string_view operation, const json::object& body, Read read,
                   util::Completion<T> done) {
  shared->clients->call(
      operation, body, [read = std::move(read), done = std::move(done)](json::object answer, std::exception_ptr error) {
        if (error) return done({}, error);
        std::optional<T> result;
        try {
          result.emplace(read(answer));
        } catch (...) {
          return done({}, std::current_exception());
        }
        done(std::move(*result), nullptr);
      });
}

std::exception_ptr cancelled(const std::string& what, const json::value& reasons) {
  std::string codes;
  for (const auto& reason : reasons.as_array()) {
    const auto* code = reason.is_object() ? reason.get_object().if_contains("Code") : nullptr;
    codes += (codes.empty() ? "" : ",") + std::string(code && code->is_string() ? code->get_string() : "?");
  }
  const std::string message = "dynamodb: " + what + " cancelled (" + codes + ")";
  if (any_reason(reasons, "TransactionConflict") || any_reason(reasons, "ThrottlingError") ||
      any_reason(reasons, "ProvisionedThroughputExceeded")) {
    return std::make_exception_ptr(domain::Unavailable(message));
  }
  return std::make_exception_ptr(std::runtime_error(message));
}

// The keys DynamoDB cannot hold (empty, or longer than any key): no item has them.
bool impossible_key(const std::string& key) { return key.empty() || key.size() > kMaxPartitionKeyBytes; }

std::optional<domain::IdempotencyRecord> live_record(const json::object& answer, int64_t now_ms) {
  auto item = item_of(answer);
  if (!item) return std::nullopt;
  auto record = idempotency_from_item(*item);
  if (record.expires_at_ms <= now_ms) return std::nullopt;  // expired, not yet deleted by TTL
  return record;
}

// One create through its attempts.
struct CreateCall {
  DynamoDbShared* shared;
  TransactRequest request;
  std::optional<domain::IdempotencyRecord> record;
  std::string event_id;
  std::string entity_id;
  util::Completion<CreateOutcome> done;
  int attempt = 0;
};

void replay(const std::shared_ptr<CreateCall>& call) {
  const auto& r = *call->record;
  call_and_read<CreateOutcome>(
      call->shared, "GetItem",
      get_item_request(call->shared->layout.idempotency, "id", idempotency_key(r.scope, r.key)),
      [now = r.created_at_ms](const json::object& answer) {
        return CreateOutcome{CreateStatus::idempotency_taken, live_record(answer, now)};
      },
      std::move(call->done));
}

void send_create(std::shared_ptr<CreateCall> call) {
  json::object body = call->request.body;
  body["ClientRequestToken"] = request_token(call->event_id, call->attempt);
  auto* clients = call->shared->clients.get();
  clients->call("TransactWriteItems", body, [call = std::move(call)](json::object, std::exception_ptr error) mutable {
    if (!error) {
      call->shared->commits->notify();
      return call->done(CreateOutcome{}, nullptr);
    }
    const auto reasons = cancellation_reasons(error);
    if (!reasons) return call->done({}, error);
    if (const auto status = create_conflict(*reasons, call->request.parts)) {
      if (*status == CreateStatus::idempotency_taken) return replay(call);
      return call->done(CreateOutcome{*status, std::nullopt}, nullptr);
    }
    if (any_reason(*reasons, "TransactionConflict") && ++call->attempt < kConflictAttempts) {
      return send_create(std::move(call));
    }
    if (reason_at(*reasons, call->request.parts.entity, "ConditionalCheckFailed")) {
      return call->done({},
                        std::make_exception_ptr(std::runtime_error("dynamodb: an entity with id " + call->entity_id +
                                                                   " exists already; nothing written")));
    }
    call->done({}, cancelled("the create of " + call->entity_id, *reasons));
  });
}

void create(DynamoDbShared* shared, TransactRequest request, std::optional<domain::IdempotencyRecord> record,
            const std::string& event_id, const std::string& entity_id, util::Completion<CreateOutcome> done) {
  if (auto violation = limit_violation(shared->layout, request.body)) {
    return done({}, std::make_exception_ptr(domain::ValidationError(
                        std::vector<domain::FieldError>{{"", "too large to store: " + *violation}})));
  }
  send_create(std::make_shared<CreateCall>(
      CreateCall{shared, std::move(request), std::move(record), event_id, entity_id, std::move(done)}));
}

// A delete's transaction, tried again on a TransactionConflict. `missing`: the index of the part
// whose failed condition means "no such entity" (the answer false).
struct DeleteCall {
  DynamoDbShared* shared;
  json::object body;
  std::string event_id;
  std::string entity_id;
  util::Completion<bool> done;
  int attempt = 0;
};

void send_delete(std::shared_ptr<DeleteCall> call) {
  json::object body = call->body;
  body["ClientRequestToken"] = request_token(call->event_id, call->attempt);
  auto* clients = call->shared->clients.get();
  clients->call("TransactWriteItems", body, [call = std::move(call)](json::object, std::exception_ptr error) mutable {
    if (!error) {
      call->shared->commits->notify();
      return call->done(true, nullptr);
    }
    const auto reasons = cancellation_reasons(error);
    if (!reasons) return call->done({}, error);
    // Part 0 is the entity's Delete, on the condition that it exists (a user: with its email).
    if (reason_at(*reasons, 0, "ConditionalCheckFailed")) return call->done(false, nullptr);
    if (any_reason(*reasons, "TransactionConflict") && ++call->attempt < kConflictAttempts) {
      return send_delete(std::move(call));
    }
    call->done({}, cancelled("the delete of " + call->entity_id, *reasons));
  });
}

void remove(DynamoDbShared* shared, json::object body, const events::Event& event, const std::string& id,
            util::Completion<bool> done) {
  if (auto violation = limit_violation(shared->layout, body)) {
    return done({}, std::make_exception_ptr(domain::ValidationError(
                        std::vector<domain::FieldError>{{"", "too large to store: " + *violation}})));
  }
  send_delete(std::make_shared<DeleteCall>(DeleteCall{shared, std::move(body), event.id, id, std::move(done)}));
}

template <class T>
void list(DynamoDbShared* shared, json::object request, size_t limit,
          domain::Page<T> (*page_of)(const json::object&, size_t), util::Completion<domain::Page<T>> done) {
  query_items(*shared->clients, std::move(request), limit + 1,
              [limit, page_of, done = std::move(done)](json::array items, std::exception_ptr error) {
                if (error) return done({}, error);
                std::optional<domain::Page<T>> page;
                try {
                  page.emplace(page_of(json::object{{"Items", std::move(items)}}, limit));
                } catch (...) {
                  return done({}, std::current_exception());
                }
                done(std::move(*page), nullptr);
              });
}

// A cursor or user id no item can have: nothing to list (DynamoDB refuses empty key values).
bool lists_nothing(const domain::PageQuery& query, const std::optional<std::string>& user_id) {
  return (query.before_id && query.before_id->empty()) || (user_id && impossible_key(*user_id));
}

}  // namespace

std::string request_token(const std::string& event_id, int attempt) {
  return util::sha256_hex(event_id + "#" + std::to_string(attempt)).substr(0, 36);
}

DynamoDbStore::DynamoDbStore(std::shared_ptr<DynamoDbShared> shared) : shared_(std::move(shared)) {}

void DynamoDbStore::ready(util::Completion<bool> done) {
  // A read of a key no item has: answers when the table does, costs half a read unit.
  json::object probe = get_item_request(shared_->layout.users, "id", "~readiness-probe");
  probe["ConsistentRead"] = false;
  call_and_read<bool>(
      shared_.get(), "GetItem", probe, [](const json::object&) { return true; }, std::move(done));
}

void DynamoDbStore::create_user(domain::User user, events::Event event,
                                std::optional<domain::IdempotencyRecord> idempotency,
                                util::Completion<CreateOutcome> done) {
  const int64_t now = idempotency ? idempotency->created_at_ms : util::system_millis();
  auto request = create_user_request(shared_->layout, user, event, idempotency, now);
  create(shared_.get(), std::move(request), std::move(idempotency), event.id, user.id, std::move(done));
}

void DynamoDbStore::create_order(domain::Order order, events::Event event,
                                 std::optional<domain::IdempotencyRecord> idempotency,
                                 util::Completion<CreateOutcome> done) {
  const int64_t now = idempotency ? idempotency->created_at_ms : util::system_millis();
  auto request = create_order_request(shared_->layout, order, event, idempotency, now);
  create(shared_.get(), std::move(request), std::move(idempotency), event.id, order.id, std::move(done));
}

void DynamoDbStore::delete_user(std::string id, events::Event event, util::Completion<bool> done) {
  if (impossible_key(id)) return done(false, nullptr);
  // The delete's conditions need the email (its claim goes with the user): read it consistently
  // first. A concurrent delete between the read and the transaction fails the user's condition.
  auto* shared = shared_.get();
  shared->clients->call("GetItem", get_item_request(shared->layout.users, "id", id),
                        [shared, id, event = std::move(event), done = std::move(done)](
                            json::object answer, std::exception_ptr error) mutable {
                          if (error) return done({}, error);
                          std::string email;
                          try {
                            const auto item = item_of(answer);
                            if (!item || !is_user_item(*item)) return done(false, nullptr);
                            email = read_string(*item, "email");
                          } catch (...) {
                            return done({}, std::current_exception());
                          }
                          remove(shared, delete_user_request(shared->layout, id, email, event), event, id,
                                 std::move(done));
                        });
}

void DynamoDbStore::delete_order(std::string id, events::Event event, util::Completion<bool> done) {
  if (impossible_key(id)) return done(false, nullptr);
  remove(shared_.get(), delete_order_request(shared_->layout, id, event), event, id, std::move(done));
}

void DynamoDbStore::find_user(std::string id, util::Completion<std::optional<domain::User>> done) {
  if (impossible_key(id)) return done(std::nullopt, nullptr);
  call_and_read<std::optional<domain::User>>(
      shared_.get(), "GetItem", get_item_request(shared_->layout.users, "id", id),
      [](const json::object& answer) -> std::optional<domain::User> {
        const auto item = item_of(answer);
        if (!item || !is_user_item(*item)) return std::nullopt;  // an email claim is no user
        return user_from_item(*item);
      },
      std::move(done));
}

void DynamoDbStore::find_order(std::string id, util::Completion<std::optional<domain::Order>> done) {
  if (impossible_key(id)) return done(std::nullopt, nullptr);
  call_and_read<std::optional<domain::Order>>(
      shared_.get(), "GetItem", get_item_request(shared_->layout.orders, "id", id),
      [](const json::object& answer) -> std::optional<domain::Order> {
        const auto item = item_of(answer);
        if (!item) return std::nullopt;
        return order_from_item(*item);
      },
      std::move(done));
}

void DynamoDbStore::find_user_by_email(std::string email, util::Completion<std::optional<domain::User>> done) {
  std::string claim = email_claim_key(email);
  if (impossible_key(claim)) return done(std::nullopt, nullptr);
  // The email's claim item names its user (the create and the delete write both in one
  // transaction): read the claim, then the user, both consistently. A delete between the two
  // reads leaves no user to find.
  auto* shared = shared_.get();
  shared->clients->call("GetItem", get_item_request(shared->layout.users, "id", claim),
                        [shared, done = std::move(done)](json::object answer, std::exception_ptr error) mutable {
                          if (error) return done({}, error);
                          std::string user_id;
                          try {
                            const auto claim_item = item_of(answer);
                            if (!claim_item || is_user_item(*claim_item)) return done(std::nullopt, nullptr);
                            user_id = read_string(*claim_item, "user_id");
                          } catch (...) {
                            return done({}, std::current_exception());
                          }
                          call_and_read<std::optional<domain::User>>(
                              shared, "GetItem", get_item_request(shared->layout.users, "id", user_id),
                              [](const json::object& user_answer) -> std::optional<domain::User> {
                                const auto item = item_of(user_answer);
                                if (!item || !is_user_item(*item)) return std::nullopt;
                                return user_from_item(*item);
                              },
                              std::move(done));
                        });
}

void DynamoDbStore::list_users(domain::PageQuery query, util::Completion<domain::Page<domain::User>> done) {
  if (lists_nothing(query, std::nullopt)) return done({}, nullptr);
  list<domain::User>(shared_.get(), list_users_request(shared_->layout, query), query.limit, users_page,
                     std::move(done));
}

void DynamoDbStore::list_orders(domain::PageQuery query, std::optional<std::string> user_id,
                                util::Completion<domain::Page<domain::Order>> done) {
  if (lists_nothing(query, user_id)) return done({}, nullptr);
  list<domain::Order>(shared_.get(), list_orders_request(shared_->layout, query, user_id), query.limit, orders_page,
                      std::move(done));
}

void DynamoDbStore::find_idempotency(std::string scope, std::string key, int64_t now_ms,
                                     util::Completion<std::optional<domain::IdempotencyRecord>> done) {
  const std::string id = idempotency_key(scope, key);
  if (impossible_key(id)) return done(std::nullopt, nullptr);
  call_and_read<std::optional<domain::IdempotencyRecord>>(
      shared_.get(), "GetItem", get_item_request(shared_->layout.idempotency, "id", id),
      [now_ms](const json::object& answer) { return live_record(answer, now_ms); }, std::move(done));
}

void DynamoDbStore::purge_idempotency(int64_t now_ms, util::Completion<size_t> done) {
  purge_expired_idempotency(*shared_->clients, shared_->layout, now_ms, std::move(done));
}

}  // namespace ninja::storage::dynamodb
