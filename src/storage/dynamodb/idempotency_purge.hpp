#pragma once
// Store::purge_idempotency on DynamoDB: deletes the records expired by `now_ms`. On AWS the table's
// TTL deletes them too, within days and without cost; this is the port's explicit form (operators,
// tests, and moto, whose TTL never runs). It scans the table page by page (projecting only the key
// and expiry) and deletes each expired record on the condition that it is still expired, so a key
// taken over meanwhile by a new request keeps its new record. The scan reads the whole table: with
// TTL on, that is about a day of keys.
#include <cstdint>

#include "storage/dynamodb/dynamodb_clients.hpp"
#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

// How many records it deleted.
void purge_expired_idempotency(DynamoDbClients& clients, const TableLayout& layout, int64_t now_ms,
                               util::Completion<size_t> done);

}  // namespace ninja::storage::dynamodb
