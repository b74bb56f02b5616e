#pragma once
// The storage port. Each backend (sqlite/, later postgres/ and dynamodb/) implements it; the domain
// services depend only on this header. Every write is one atomic commit of the entity, its outbox
// event and (for idempotent creates) the idempotency record. Calls block until committed or read,
// so they run on worker threads, never on HTTP I/O threads.
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/order.hpp"
#include "domain/user.hpp"
#include "events/event.hpp"

namespace ninja::storage {

// A stored response to an idempotent create: the created resource and the exact body sent.
struct IdempotencyRecord {
  std::string scope;
  std::string key;
  std::string fingerprint;
  std::string resource_id;
  std::string body;
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;
};

enum class CreateStatus {
  created,
  email_taken,        // another live user has this email (case-insensitive)
  user_missing,       // the order's user does not exist (checked in the same transaction)
  idempotency_taken,  // a live record with this scope+key already exists; nothing was written
};

// The answer to a create. When the idempotency key is already live (idempotency_taken), `existing`
// holds its record, read in the same transaction, so the caller can replay it without another read.
struct CreateOutcome {
  CreateStatus status = CreateStatus::created;
  std::optional<IdempotencyRecord> existing;
};

// Keyset pagination, newest first: items with id < `before_id`, at most `limit`.
struct PageQuery {
  size_t limit = 20;
  std::optional<std::string> before_id;
};

template <class T>
struct Page {
  std::vector<T> items;
  bool has_more = false;  // more items exist past the last one returned
};

// How an asynchronous write ends: its outcome, or (with a default outcome) the error that kept it
// from committing. Called exactly once, on a store thread: keep it short and never let it throw.
template <class T>
using Completion = std::function<void(T outcome, std::exception_ptr error)>;

class Store {
 public:
  virtual ~Store() = default;

  // True when the store answers queries (readiness probe).
  virtual bool ready() = 0;

  // Writes complete asynchronously: a caller need not hold a thread while its commit is batched
  // with others (group commit), so a few threads can keep many commits in flight.
  // With an idempotency record, the transaction itself decides: a live record with the same scope
  // and key means idempotency_taken (nothing written, `existing` set); otherwise the record is
  // written with the entity.
  virtual void create_user(domain::User user, events::Event event, std::optional<IdempotencyRecord> idempotency,
                           Completion<CreateOutcome> done) = 0;
  virtual void create_order(domain::Order order, events::Event event, std::optional<IdempotencyRecord> idempotency,
                            Completion<CreateOutcome> done) = 0;
  // Deletes and records `event` atomically; false (and nothing written) if the entity does not exist.
  virtual void delete_user(std::string id, events::Event event, Completion<bool> done) = 0;
  virtual void delete_order(std::string id, events::Event event, Completion<bool> done) = 0;

  // Blocking forms of the writes above, for tools and tests: wait for the commit, rethrow errors;
  // creates return the status only.
  CreateStatus create_user(const domain::User& user, const events::Event& event, const IdempotencyRecord* idempotency);
  CreateStatus create_order(const domain::Order& order, const events::Event& event,
                            const IdempotencyRecord* idempotency);
  bool delete_user(std::string_view id, const events::Event& event);
  bool delete_order(std::string_view id, const events::Event& event);

  virtual std::optional<domain::User> find_user(std::string_view id) = 0;
  virtual std::optional<domain::Order> find_order(std::string_view id) = 0;
  virtual Page<domain::User> list_users(const PageQuery& query) = 0;
  // All orders, or only those of `user_id`.
  virtual Page<domain::Order> list_orders(const PageQuery& query, std::optional<std::string_view> user_id) = 0;

  // The record for scope+key unless it has expired by `now_ms` (creates read it themselves; this
  // is for tools and tests).
  virtual std::optional<IdempotencyRecord> find_idempotency(std::string_view scope, std::string_view key,
                                                            int64_t now_ms) = 0;
  // Deletes records expired by `now_ms`; returns how many.
  virtual size_t purge_idempotency(int64_t now_ms) = 0;

  // Outbox events not yet published, oldest first (the relay arrives in the events issue).
  virtual std::vector<events::Event> unpublished_events(size_t limit) = 0;
};

}  // namespace ninja::storage
