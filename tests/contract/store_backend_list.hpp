#pragma once
// Every backend the storage contract suites run against. StoreBackends: the Store, Outbox and
// DeliveryStore ports (the store_*, outbox_claim and deliveries suites); AllPortsBackends: those
// that also keep API keys and expire old rows (DynamoDB does not yet: its Storage has neither).
#include "dynamodb_backend.hpp"
#include "postgres_backend.hpp"
#include "store_backends.hpp"

namespace ninja::contract {

using StoreBackends = ::testing::Types<SqliteBackend, PostgresBackend, DynamoDbBackend>;
using AllPortsBackends = ::testing::Types<SqliteBackend, PostgresBackend>;

}  // namespace ninja::contract
