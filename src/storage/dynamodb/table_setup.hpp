#pragma once
// `ninja-orders migrate` (and every start of the store) on DynamoDB: creates the tables of the
// layout that do not exist yet (table_definitions.hpp: on-demand capacity, every index), waits
// until each table and each of its indexes is ACTIVE, and turns on the TTL of the idempotency,
// outbox and deliveries tables and point-in-time recovery (DynamoDB's backup) on every table — on
// an existing deployment too, at its next migrate.
// Idempotent, and safe when several processes run it at once (a table another one is creating is
// waited for, not created twice). Blocking: for start-up and admin commands, never a loop thread.
#include <chrono>

#include "storage/dynamodb/dynamodb_clients.hpp"
#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

struct SetupOptions {
  std::chrono::milliseconds poll{250};           // between DescribeTable calls while a table is created
  std::chrono::milliseconds wait_limit{300000};  // AWS creates a table in seconds, sometimes minutes
};

// Throws std::runtime_error when a table exists without an index this backend needs (another
// application's table, or an older layout), or does not become ACTIVE in time; the AWS errors
// (aws::AwsUnavailable when the service cannot be reached) as they come.
void ensure_tables(DynamoDbClients& clients, const TableLayout& layout, spdlog::logger* log,
                   const SetupOptions& options = {});

}  // namespace ninja::storage::dynamodb
