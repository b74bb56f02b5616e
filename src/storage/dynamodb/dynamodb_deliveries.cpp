#include "storage/dynamodb/dynamodb_deliveries.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <utility>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/cancellation.hpp"
#include "storage/dynamodb/claim_candidates.hpp"
#include "storage/dynamodb/delivery_requests.hpp"
#include "storage/dynamodb/query_pages.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

using domain::Delivery;

namespace {

constexpr size_t kMaxOrderDeliveries = 1000;  // one per event and channel: an order has a handful

std::vector<Delivery> decode_all(const json::array& items) {
  std::vector<Delivery> out;
  out.reserve(items.size());
  for (const auto& item : items) out.push_back(delivery_from_item(item.as_object()));
  return out;
}

// Runs `per_item` on each item in parallel and completes with how many succeeded (a failed
// condition is no success and no error).
struct DeliveryFanout {
  std::mutex mutex;
  size_t outstanding = 0;
  size_t succeeded = 0;
  std::exception_ptr error;
  std::vector<Delivery> results;
};

// --- add_deliveries: one transaction of the new ones ---------------------------------------------

struct AddCall {
  DynamoDbShared* shared;
  std::vector<Delivery> deliveries;
  util::Lease lease;
  std::vector<bool> inserted;             // per input
  std::vector<std::vector<size_t>> todo;  // the inputs of each transaction still to send, last first
  std::vector<size_t> trying;             // those of the transaction under way
  int conflicts = 0;
  util::Completion<std::vector<bool>> done;
};

void send_add(std::shared_ptr<AddCall> call);

// The next transaction, or the answer when none is left.
void next_chunk(std::shared_ptr<AddCall> call) {
  if (call->todo.empty()) return call->done(std::move(call->inserted), nullptr);
  call->trying = std::move(call->todo.back());
  call->todo.pop_back();
  call->conflicts = 0;
  send_add(std::move(call));
}

void send_add(std::shared_ptr<AddCall> call) {
  if (call->trying.empty()) return next_chunk(std::move(call));
  json::array parts;
  for (const size_t i : call->trying) {
    const auto& d = call->deliveries[i];
    parts.push_back(
        json::object{{"Put", put_new_delivery(call->shared->layout, call->shared->expiry, d, call->lease)}});
  }
  auto* clients = call->shared->clients.get();
  clients->call("TransactWriteItems", {{"TransactItems", std::move(parts)}},
                [call = std::move(call)](json::object, std::exception_ptr error) mutable {
                  if (!error) {
                    for (const size_t i : call->trying) call->inserted[i] = true;
                    return next_chunk(std::move(call));
                  }
                  const auto reasons = cancellation_reasons(error);
                  if (!reasons) return call->done({}, error);
                  std::vector<size_t> rest;
                  for (size_t p = 0; p < call->trying.size(); ++p) {
                    if (!reason_at(*reasons, p, "ConditionalCheckFailed")) rest.push_back(call->trying[p]);
                  }
                  const bool conflict = any_reason(*reasons, "TransactionConflict");
                  if (rest.size() == call->trying.size() && (!conflict || ++call->conflicts >= kConflictAttempts)) {
                    return call->done({}, error);  // no condition of ours failed: nothing to leave out
                  }
                  call->trying = std::move(rest);  // the existing ones stay false
                  send_add(std::move(call));
                });
}

// --- claim_due ---------------------------------------------------------------------------------

struct DueClaim : DeliveryFanout {
  DynamoDbShared* shared;
  size_t limit;
  util::Lease lease;
  std::vector<json::object> candidates;
  util::Completion<std::vector<Delivery>> done;
};

void lease_due(const std::shared_ptr<DueClaim>& call) {
  if (call->candidates.empty()) return call->done({}, nullptr);
  call->outstanding = call->candidates.size();
  for (const auto& candidate : call->candidates) {
    call->shared->clients->call("UpdateItem",
                                claim_delivery_update(call->shared->layout, read_string(candidate, "event_id"),
                                                      read_string(candidate, "channel"), call->lease),
                                [call](json::object updated, std::exception_ptr error) {
                                  std::optional<Delivery> claimed;
                                  if (!error) {
                                    try {
                                      claimed = delivery_from_item(updated.at("Attributes").as_object());
                                    } catch (...) {
                                      error = std::current_exception();
                                    }
                                  }
                                  std::unique_lock lock(call->mutex);
                                  if (claimed) call->results.push_back(std::move(*claimed));
                                  if (error && !is_condition_failure(error) && !call->error) call->error = error;
                                  if (--call->outstanding > 0) return;
                                  lock.unlock();
                                  if (call->results.empty() && call->error) return call->done({}, call->error);
                                  std::sort(call->results.begin(), call->results.end(),
                                            [](const Delivery& a, const Delivery& b) {
                                              return std::tie(*a.next_attempt_at_ms, a.event_id, a.channel) <
                                                     std::tie(*b.next_attempt_at_ms, b.event_id, b.channel);
                                            });
                                  call->done(std::move(call->results), nullptr);
                                });
  }
}

// Reads the due index from `start` until `limit` unleased deliveries are candidates or it ends.
void find_due(std::shared_ptr<DueClaim> call, std::optional<json::value> start) {
  json::object query = due_query(call->shared->layout, call->lease.now_ms);
  query["Limit"] = static_cast<int64_t>(kIndexPage);
  if (start) query["ExclusiveStartKey"] = std::move(*start);
  auto* clients = call->shared->clients.get();
  clients->call("Query", query, [call](json::object answer, std::exception_ptr error) mutable {
    if (error) return call->done({}, error);
    try {
      for (const auto& item : answer.at("Items").as_array()) {
        if (call->candidates.size() >= call->limit) break;
        const auto& fields = item.as_object();
        // A notifier's own live lease is no exception here: its attempt is still running.
        if (!fields.contains("lease_until") || read_number(fields, "lease_until") <= call->lease.now_ms) {
          call->candidates.push_back(fields);
        }
      }
    } catch (...) {
      return call->done({}, std::current_exception());
    }
    const auto* last = answer.if_contains("LastEvaluatedKey");
    if (call->candidates.size() < call->limit && last && last->is_object() && !last->get_object().empty()) {
      return find_due(std::move(call), *last);
    }
    lease_due(call);
  });
}

// --- requeue_dead ------------------------------------------------------------------------------

void requeue_items(DynamoDbShared* shared, const json::array& items, int64_t now_ms, util::Completion<size_t> done) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& item : items) {
    const auto& fields = item.as_object();
    if (fields.contains("dead")) keys.emplace_back(read_string(fields, "event_id"), read_string(fields, "channel"));
  }
  if (keys.empty()) return done(0, nullptr);
  auto fan = std::make_shared<DeliveryFanout>();
  fan->outstanding = keys.size();
  for (const auto& [event_id, channel] : keys) {
    shared->clients->call("UpdateItem", requeue_update(shared->layout, event_id, channel, now_ms),
                          [fan, done](json::object, std::exception_ptr error) {
                            std::unique_lock lock(fan->mutex);
                            if (!error) ++fan->succeeded;
                            if (error && !is_condition_failure(error) && !fan->error) fan->error = error;
                            if (--fan->outstanding > 0) return;
                            lock.unlock();
                            if (fan->error) return done({}, fan->error);
                            done(fan->succeeded, nullptr);
                          });
  }
}

// --- next_due_ms -------------------------------------------------------------------------------

struct NextDueCall {
  DynamoDbShared* shared;
  std::optional<int64_t> best;
  util::Completion<std::optional<int64_t>> done;
};

// Earliest first by schedule; a leased delivery is due when its lease ends, so the walk goes on
// while a later schedule could still beat the best so far.
void scan_due(std::shared_ptr<NextDueCall> call, std::optional<json::value> start) {
  json::object query = scheduled_query(call->shared->layout);
  query["Limit"] = static_cast<int64_t>(kIndexPage);
  if (start) query["ExclusiveStartKey"] = std::move(*start);
  auto* clients = call->shared->clients.get();
  clients->call("Query", query, [call](json::object answer, std::exception_ptr error) mutable {
    if (error) return call->done({}, error);
    try {
      for (const auto& item : answer.at("Items").as_array()) {
        const auto& fields = item.as_object();
        const int64_t next = read_number(fields, "next_attempt_at");
        if (call->best && next >= *call->best) return call->done(call->best, nullptr);
        const int64_t until = fields.contains("lease_until") ? read_number(fields, "lease_until") : 0;
        const int64_t due = std::max(next, until);
        if (!call->best || due < *call->best) call->best = due;
      }
    } catch (...) {
      return call->done({}, std::current_exception());
    }
    const auto* last = answer.if_contains("LastEvaluatedKey");
    if (last && last->is_object() && !last->get_object().empty()) return scan_due(std::move(call), *last);
    call->done(call->best, nullptr);
  });
}

}  // namespace

DynamoDbDeliveries::DynamoDbDeliveries(std::shared_ptr<DynamoDbShared> shared) : shared_(std::move(shared)) {}

void DynamoDbDeliveries::add_deliveries(std::vector<Delivery> deliveries, util::Lease lease,
                                        util::Completion<std::vector<bool>> done) {
  if (deliveries.empty()) return done({}, nullptr);
  auto call = std::make_shared<AddCall>();
  call->shared = shared_.get();
  call->lease = std::move(lease);
  call->inserted.assign(deliveries.size(), false);
  // A repeated (event, channel) within the batch: the first one counts, as in a table. A
  // transaction holds at most 100 parts: a larger batch goes in several, one after another.
  std::set<std::pair<std::string, std::string>> keys;
  std::vector<size_t> chunk;
  for (size_t i = 0; i < deliveries.size(); ++i) {
    if (!keys.emplace(deliveries[i].event_id, deliveries[i].channel).second) continue;
    chunk.push_back(i);
    if (chunk.size() == kMaxTransactItems) call->todo.push_back(std::exchange(chunk, {}));
  }
  if (!chunk.empty()) call->todo.push_back(std::move(chunk));
  std::reverse(call->todo.begin(), call->todo.end());  // taken from the back: in input order
  call->deliveries = std::move(deliveries);
  call->done = std::move(done);
  next_chunk(std::move(call));
}

void DynamoDbDeliveries::claim_due(size_t limit, util::Lease lease, util::Completion<std::vector<Delivery>> done) {
  if (limit == 0) return done({}, nullptr);
  auto call = std::make_shared<DueClaim>();
  call->shared = shared_.get();
  call->limit = limit;
  call->lease = std::move(lease);
  call->done = std::move(done);
  find_due(std::move(call), std::nullopt);
}

void DynamoDbDeliveries::record_attempt(Delivery delivery, util::Done done) {
  shared_->clients->call("PutItem", record_attempt_put(shared_->layout, shared_->expiry, delivery),
                         [done = std::move(done)](json::object, std::exception_ptr error) {
                           // A condition failure: the record is gone (expired by the table's TTL), nothing to update.
                           done(error && !is_condition_failure(error) ? error : nullptr);
                         });
}

namespace {

// The items a query finds, decoded and put in `order` (an index gives its own order only within
// one partition key value).
template <class Order>
void query_deliveries(DynamoDbClients& clients, json::object query, size_t limit, Order order,
                      util::Completion<std::vector<Delivery>> done) {
  query_items(clients, std::move(query), limit,
              [order, done = std::move(done)](json::array items, std::exception_ptr error) {
                if (error) return done({}, error);
                std::vector<Delivery> out;
                try {
                  out = decode_all(items);
                } catch (...) {
                  return done({}, std::current_exception());
                }
                std::stable_sort(out.begin(), out.end(), order);
                done(std::move(out), nullptr);
              });
}

}  // namespace

void DynamoDbDeliveries::deliveries_for_order(std::string order_id, util::Completion<std::vector<Delivery>> done) {
  if (order_id.empty() || order_id.size() > kMaxPartitionKeyBytes) return done({}, nullptr);
  query_deliveries(
      *shared_->clients, order_deliveries_query(shared_->layout, order_id), kMaxOrderDeliveries,
      [](const Delivery& a, const Delivery& b) {
        return std::tie(a.created_at_ms, a.event_id, a.channel) < std::tie(b.created_at_ms, b.event_id, b.channel);
      },
      std::move(done));
}

void DynamoDbDeliveries::dead_deliveries(size_t limit, util::Completion<std::vector<Delivery>> done) {
  query_deliveries(
      *shared_->clients, dead_query(shared_->layout), limit,
      [](const Delivery& a, const Delivery& b) {
        if (a.updated_at_ms != b.updated_at_ms) return a.updated_at_ms > b.updated_at_ms;  // newest first
        return a.event_id < b.event_id;
      },
      std::move(done));
}

void DynamoDbDeliveries::requeue_dead(std::optional<std::string> event_id, int64_t now_ms,
                                      util::Completion<size_t> done) {
  if (event_id && (event_id->empty() || event_id->size() > kMaxPartitionKeyBytes)) return done(0, nullptr);
  auto* shared = shared_.get();
  auto query = event_id ? event_deliveries_query(shared->layout, *event_id) : dead_query(shared->layout);
  query_items(*shared->clients, std::move(query), kMaxRequeued,
              [shared, now_ms, done = std::move(done)](json::array items, std::exception_ptr error) {
                if (error) return done({}, error);
                try {
                  requeue_items(shared, items, now_ms, done);
                } catch (...) {
                  done({}, std::current_exception());
                }
              });
}

void DynamoDbDeliveries::next_due_ms(util::Completion<std::optional<int64_t>> done) {
  scan_due(std::make_shared<NextDueCall>(NextDueCall{shared_.get(), std::nullopt, std::move(done)}), std::nullopt);
}

}  // namespace ninja::storage::dynamodb
