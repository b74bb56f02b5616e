#pragma once
// The port the domain services store users and orders through. Each backend (storage/sqlite/,
// storage/postgres/, later storage/dynamodb/) implements it and passes the contract suite in
// tests/contract/. Every write is one atomic commit of the entity, its outbox event and (for
// idempotent creates) the idempotency record. Every call is asynchronous (util/completion.hpp):
// a request waiting for its store holds no thread, whether the store is a local file or a server.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/order.hpp"
#include "domain/user.hpp"
#include "events/event.hpp"
#include "util/completion.hpp"

namespace ninja::domain {

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

class Store {
 public:
  virtual ~Store() = default;

  // True when the store answers queries and takes writes (readiness probe: a store whose last
  // commits failed, e.g. on a full disk, is not ready until a write succeeds); an error means no.
  virtual void ready(util::Completion<bool> done) = 0;

  // Writes. With an idempotency record, the transaction itself decides: a live record with the
  // same scope and key means idempotency_taken (nothing written, `existing` set); otherwise the
  // record is written with the entity. Backends may batch concurrent writes into one transaction
  // (group commit), but one write's conflict never fails another's.
  virtual void create_user(User user, events::Event event, std::optional<IdempotencyRecord> idempotency,
                           util::Completion<CreateOutcome> done) = 0;
  virtual void create_order(Order order, events::Event event, std::optional<IdempotencyRecord> idempotency,
                            util::Completion<CreateOutcome> done) = 0;
  // Deletes and records `event` atomically; false (and nothing written) if the entity does not exist.
  virtual void delete_user(std::string id, events::Event event, util::Completion<bool> done) = 0;
  virtual void delete_order(std::string id, events::Event event, util::Completion<bool> done) = 0;

  virtual void find_user(std::string id, util::Completion<std::optional<User>> done) = 0;
  virtual void find_order(std::string id, util::Completion<std::optional<Order>> done) = 0;
  // The user whose email equals `email` case-insensitively (ASCII, as email uniqueness compares),
  // if any: read consistently, so a user is found right after its create's 201.
  virtual void find_user_by_email(std::string email, util::Completion<std::optional<User>> done) = 0;
  virtual void list_users(PageQuery query, util::Completion<Page<User>> done) = 0;
  // All orders, or only those of `user_id`.
  virtual void list_orders(PageQuery query, std::optional<std::string> user_id, util::Completion<Page<Order>> done) = 0;

  // The record for scope+key unless it has expired by `now_ms` (creates read it themselves inside
  // their transaction; this is for operators and tests).
  virtual void find_idempotency(std::string scope, std::string key, int64_t now_ms,
                                util::Completion<std::optional<IdempotencyRecord>> done) = 0;
  // Deletes records expired by `now_ms`; how many.
  virtual void purge_idempotency(int64_t now_ms, util::Completion<size_t> done) = 0;
};

}  // namespace ninja::domain
