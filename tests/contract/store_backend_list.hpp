#pragma once
// Every backend the storage contract suites run against. StoreBackends: the Store and Outbox
// ports (the store_*, outbox_claim suites); AllPortsBackends: those that also keep delivery
// records, API keys and retention (DynamoDB does not yet: its Storage has no such ports).
#include "dynamodb_backend.hpp"
#include "postgres_backend.hpp"
#include "store_backends.hpp"

namespace ninja::contract {

using StoreBackends = ::testing::Types<SqliteBackend, PostgresBackend, DynamoDbBackend>;
using AllPortsBackends = ::testing::Types<SqliteBackend, PostgresBackend>;

}  // namespace ninja::contract
