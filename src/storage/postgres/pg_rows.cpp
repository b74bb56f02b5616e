#include "storage/postgres/pg_rows.hpp"

#include <boost/json/serialize.hpp>

#include "domain/representation.hpp"

namespace ninja::storage::postgres {

domain::User read_user(const PgResult& r, int row) {
  domain::User user;
  user.id = r.string(row, 0);
  user.name = r.string(row, 1);
  user.email = r.string(row, 2);
  user.phone = r.optional_string(row, 3);
  user.notify_channel = domain::parse_notify_channel(r.text(row, 4)).value_or(domain::NotifyChannel::none);
  user.webhook_url = r.optional_string(row, 5);
  user.webhook_secret = r.optional_string(row, 6);
  user.created_at_ms = r.int64(row, 7);
  return user;
}

domain::Order read_order(const PgResult& r, int row) {
  domain::Order order;
  order.id = r.string(row, 0);
  order.user_id = r.string(row, 1);
  order.items = domain::items_from_json(r.text(row, 2));
  order.currency = r.string(row, 3);
  order.total = r.int64(row, 4);
  order.status = r.string(row, 5);
  order.note = r.optional_string(row, 6);
  order.created_at_ms = r.int64(row, 7);
  return order;
}

domain::Delivery read_delivery(const PgResult& r, int row) {
  domain::Delivery d;
  d.event_id = r.string(row, 0);
  d.channel = r.string(row, 1);
  d.order_id = r.string(row, 2);
  d.user_id = r.string(row, 3);
  d.status = domain::parse_delivery_status(r.text(row, 4)).value_or(domain::DeliveryStatus::pending);
  d.attempts = r.int64(row, 5);
  d.last_error = r.optional_string(row, 6);
  d.event_time_ms = r.int64(row, 7);
  d.payload = r.string(row, 8);
  d.created_at_ms = r.int64(row, 9);
  d.updated_at_ms = r.int64(row, 10);
  d.delivered_at_ms = r.optional_int64(row, 11);
  d.next_attempt_at_ms = r.optional_int64(row, 12);
  return d;
}

std::vector<domain::Delivery> read_deliveries(const PgResult& r) {
  std::vector<domain::Delivery> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) out.push_back(read_delivery(r, row));
  return out;
}

domain::ApiKey read_api_key(const PgResult& r, int row) {
  domain::ApiKey key;
  key.id = r.string(row, 0);
  key.name = r.string(row, 1);
  key.hash = r.string(row, 2);
  key.rate = r.optional_real(row, 3);
  key.burst = r.optional_real(row, 4);
  key.created_at_ms = r.int64(row, 5);
  key.revoked_at_ms = r.optional_int64(row, 6);
  return key;
}

domain::IdempotencyRecord read_idempotency(const PgResult& r, int row, std::string scope, std::string key) {
  return {std::move(scope), std::move(key),  r.string(row, 0), r.string(row, 1),
          r.string(row, 2), r.int64(row, 3), r.int64(row, 4)};
}

std::string items_json(const std::vector<domain::OrderItem>& items) {
  return boost::json::serialize(domain::items_to_json(items));
}

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace ninja::storage::postgres
