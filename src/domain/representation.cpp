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

}  // namespace ninja::domain
