#pragma once
// Every backend the storage contract suites run against. StoreBackends: the Store, Outbox,
// DeliveryStore and ApiKeyStore ports; RetentionBackends: those that also expire old events and
// deliveries themselves (DynamoDB does not: its Storage has no Retention).
#include "dynamodb_backend.hpp"
#include "postgres_backend.hpp"
#include "store_backends.hpp"

namespace ninja::contract {

using StoreBackends = ::testing::Types<SqliteBackend, PostgresBackend, DynamoDbBackend>;
using RetentionBackends = ::testing::Types<SqliteBackend, PostgresBackend>;

}  // namespace ninja::contract
