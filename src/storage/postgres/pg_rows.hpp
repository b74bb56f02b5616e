#pragma once
// Rows ⇄ domain values: the column lists the PostgreSQL views select, and how a result row becomes
// a User, Order, Delivery, API key, idempotency record or event. One place, so every query that
// reads an entity reads it the same way.
#include <string>
#include <vector>

#include "domain/api_key.hpp"
#include "domain/delivery.hpp"
#include "domain/order.hpp"
#include "domain/store.hpp"
#include "domain/user.hpp"
#include "events/event.hpp"
#include "storage/postgres/pg_result.hpp"

namespace ninja::storage::postgres {

#define NINJA_PG_USER_COLUMNS "id, name, email, phone, notify_channel, webhook_url, webhook_secret, created_at"
#define NINJA_PG_ORDER_COLUMNS "id, user_id, items, currency, total, status, note, created_at"
#define NINJA_PG_DELIVERY_COLUMNS                                                                        \
  "event_id, channel, order_id, user_id, status, attempts, last_error, event_time, payload, created_at," \
  " updated_at, delivered_at, next_attempt_at"
#define NINJA_PG_API_KEY_COLUMNS "id, name, key_hash, rate, burst, created_at, revoked_at"
#define NINJA_PG_IDEMPOTENCY_COLUMNS "fingerprint, resource_id, body, created_at, expires_at"

domain::User read_user(const PgResult& result, int row);
domain::Order read_order(const PgResult& result, int row);
domain::Delivery read_delivery(const PgResult& result, int row);
domain::ApiKey read_api_key(const PgResult& result, int row);
// Columns NINJA_PG_IDEMPOTENCY_COLUMNS; scope and key are the caller's.
domain::IdempotencyRecord read_idempotency(const PgResult& result, int row, std::string scope, std::string key);

std::vector<domain::Delivery> read_deliveries(const PgResult& result);

// The order's items as the JSON text stored in orders.items.
std::string items_json(const std::vector<domain::OrderItem>& items);

// A PostgreSQL array literal ('{"a","b"}') for a text[] parameter.
std::string text_array(const std::vector<std::string>& values);

}  // namespace ninja::storage::postgres
