#include "domain/representation.hpp"

#include <boost/json/array.hpp>

#include "util/time.hpp"

namespace ninja::domain {
namespace {

boost::json::value optional_string(const std::optional<std::string>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object to_json(const User& user, SecretVisibility secret) {
  boost::json::object out;
  out["id"] = user.id;
  out["name"] = user.name;
  out["email"] = user.email;
  out["phone"] = optional_string(user.phone);
  out["notify_channel"] = to_string(user.notify_channel);
  out["webhook_url"] = optional_string(user.webhook_url);
  out["created_at"] = util::format_rfc3339_millis(user.created_at_ms);
  if (secret == SecretVisibility::shown && user.webhook_secret) out["webhook_secret"] = *user.webhook_secret;
  return out;
}

boost::json::array items_to_json(const std::vector<OrderItem>& items) {
  boost::json::array out;
  out.reserve(items.size());
  for (const auto& item : items) {
    out.push_back(boost::json::object{{"sku", item.sku}, {"quantity", item.quantity}, {"unit_price", item.unit_price}});
  }
  return out;
}

boost::json::object to_json(const Order& order) {
  boost::json::object out;
  out["id"] = order.id;
  out["user_id"] = order.user_id;
  out["items"] = items_to_json(order.items);
  out["currency"] = order.currency;
  out["total"] = order.total;
  out["status"] = order.status;
  out["note"] = optional_string(order.note);
  out["created_at"] = util::format_rfc3339_millis(order.created_at_ms);
  return out;
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

}  // namespace ninja::domain
