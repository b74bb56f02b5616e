#include "domain/representation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "util/time.hpp"

namespace ninja::domain {
namespace {

boost::json::value optional_string(const std::optional<std::string>& value, const boost::json::storage_ptr& storage) {
  return value ? boost::json::value(*value, storage) : boost::json::value(nullptr, storage);
}

}  // namespace

boost::json::object to_json(const User& user, SecretVisibility secret, boost::json::storage_ptr storage) {
  boost::json::object out({{"id", user.id},
                           {"name", user.name},
                           {"email", user.email},
                           {"phone", optional_string(user.phone, storage)},
                           {"notify_channel", to_string(user.notify_channel)},
                           {"webhook_url", optional_string(user.webhook_url, storage)},
                           {"created_at", util::format_rfc3339_millis(user.created_at_ms)}},
                          storage);
  if (secret == SecretVisibility::shown && user.webhook_secret) out["webhook_secret"] = *user.webhook_secret;
  return out;
}

boost::json::array items_to_json(const std::vector<OrderItem>& items, boost::json::storage_ptr storage) {
  boost::json::array out(storage);
  out.reserve(items.size());
  for (const auto& item : items) {
    out.push_back(boost::json::object({{"sku", item.sku}, {"quantity", item.quantity}, {"unit_price", item.unit_price}},
                                      storage));
  }
  return out;
}

std::vector<OrderItem> items_from_json(std::string_view text) {
  // Parsed into a buffer on the stack: a few items need no heap allocation (every read of an order).
  unsigned char buffer[2048];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  const boost::json::value items = boost::json::parse(text, &arena);
  std::vector<OrderItem> out;
  out.reserve(items.as_array().size());
  for (const auto& item : items.as_array()) {
    const auto& o = item.as_object();
    out.push_back({std::string(o.at("sku").as_string()), o.at("quantity").to_number<int64_t>(),
                   o.at("unit_price").to_number<int64_t>()});
  }
  return out;
}

boost::json::object to_json(const Order& order, boost::json::storage_ptr storage) {
  // Built in one go (one allocation for the table, no lookup per key): this runs for every GET.
  return boost::json::object({{"id", order.id},
                              {"user_id", order.user_id},
                              {"items", items_to_json(order.items, storage)},
                              {"currency", order.currency},
                              {"total", order.total},
                              {"status", order.status},
                              {"note", optional_string(order.note, storage)},
                              {"created_at", util::format_rfc3339_millis(order.created_at_ms)}},
                             storage);
}

boost::json::object to_json(const Delivery& delivery) {
  const auto optional_time = [](const std::optional<int64_t>& ms) -> boost::json::value {
    if (!ms) return nullptr;
    return boost::json::string(util::format_rfc3339_millis(*ms));
  };
  boost::json::object out;
  out["event_id"] = delivery.event_id;
  out["channel"] = delivery.channel;
  out["status"] = to_string(delivery.status);
  out["attempts"] = delivery.attempts;
  out["last_error"] = delivery.last_error ? boost::json::value(*delivery.last_error) : boost::json::value(nullptr);
  out["updated_at"] = util::format_rfc3339_millis(delivery.updated_at_ms);
  out["delivered_at"] = optional_time(delivery.delivered_at_ms);
  out["next_attempt_at"] = optional_time(delivery.next_attempt_at_ms);
  return out;
}

boost::json::object dead_letter_to_json(const Delivery& delivery) {
  auto out = to_json(delivery);
  out["order_id"] = delivery.order_id;
  out["user_id"] = delivery.user_id;
  return out;
}

namespace {
// Whole numbers print as integers ("2", not Boost.JSON's "2E0").
boost::json::value number(std::optional<double> x) {
  if (!x) return nullptr;
  const auto whole = static_cast<int64_t>(*x);
  return static_cast<double>(whole) == *x ? boost::json::value(whole) : boost::json::value(*x);
}
}  // namespace

boost::json::object to_json(const ApiKey& key) {
  boost::json::object o;
  o["id"] = key.id;
  o["name"] = key.name;
  o["rate"] = number(key.rate);
  o["burst"] = number(key.burst);
  o["created_at"] = util::format_rfc3339_millis(key.created_at_ms);
  o["revoked_at"] = key.revoked_at_ms ? boost::json::value(util::format_rfc3339_millis(*key.revoked_at_ms)) : nullptr;
  return o;
}

}  // namespace ninja::domain
