#pragma once
// What the DynamoDB store and outbox share: the table layout and the clients. Calls in flight
// hold a plain pointer to it, never ownership: the Storage that owns it outlives every call, and
// its clients, destroyed first, complete whatever is still in flight before anything else goes.
#include <memory>

#include "events/commit_notices.hpp"
#include "storage/dynamodb/dynamodb_clients.hpp"
#include "storage/dynamodb/expiry.hpp"
#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

// Items asked for per Query of a sparse index (the outbox's unpublished, the deliveries' due).
constexpr size_t kIndexPage = 100;
// Tries of one write against TransactionConflicts (each a whole round trip): the items written
// are new ones or leased ones, so a conflict means a race on the same email, key or item, decided
// by then.
constexpr int kConflictAttempts = 5;

struct DynamoDbShared {
  DynamoDbShared(TableLayout layout, Expiry expiry, std::unique_ptr<DynamoDbClients> clients)
      : layout(std::move(layout)), expiry(expiry), clients(std::move(clients)) {}
  DynamoDbShared(const DynamoDbShared&) = delete;
  DynamoDbShared& operator=(const DynamoDbShared&) = delete;

  const TableLayout layout;
  const Expiry expiry;  // when done outbox events and deliveries expire (--retention-days)
  // Creates and deletes of this process tell its relays at once (DynamoDB has no signal; the
  // relays' polling finds the other processes' events).
  const std::shared_ptr<events::CommitNotices> commits = std::make_shared<events::CommitNotices>();
  std::unique_ptr<DynamoDbClients> clients;  // declared last: destroyed first
};

}  // namespace ninja::storage::dynamodb
