#pragma once
// What the DynamoDB store and outbox share: the table layout and the clients. Calls in flight
// hold a plain pointer to it, never ownership: the Storage that owns it outlives every call, and
// its clients, destroyed first, complete whatever is still in flight before anything else goes.
#include <memory>

#include "storage/dynamodb/dynamodb_clients.hpp"
#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

struct DynamoDbShared {
  DynamoDbShared(TableLayout layout, std::unique_ptr<DynamoDbClients> clients)
      : layout(std::move(layout)), clients(std::move(clients)) {}
  DynamoDbShared(const DynamoDbShared&) = delete;
  DynamoDbShared& operator=(const DynamoDbShared&) = delete;

  const TableLayout layout;
  std::unique_ptr<DynamoDbClients> clients;  // declared last: destroyed first
};

}  // namespace ninja::storage::dynamodb
