#include "api/request_codec.hpp"

#include <algorithm>

#include "api/json_input.hpp"
#include "util/uuid.hpp"

namespace ninja::api {

domain::CreateUser decode_create_user(const boost::json::object& body) {
  std::vector<domain::FieldError> errors;
  ObjectReader reader(body, "", errors, {"name", "email", "phone", "notify_channel", "webhook_url"});
  domain::CreateUser command;
  command.name = reader.string("name", true).value_or("");
  command.email = reader.string("email", true).value_or("");
  command.phone = reader.string("phone", false);
  command.webhook_url = reader.string("webhook_url", false);
  const size_t errors_before_channel = errors.size();
  if (auto channel = reader.string("notify_channel", false)) {
    if (auto parsed = domain::parse_notify_channel(*channel)) {
      command.notify_channel = *parsed;
    } else {
      errors.push_back({"notify_channel", "must be one of email, sms, webhook, none"});
    }
  }
  if (errors.size() > errors_before_channel) {
    // Judge the other fields against the channel the client most likely meant, so a bad channel
    // does not also invent errors about webhook_url or phone.
    command.notify_channel = command.webhook_url ? domain::NotifyChannel::webhook : domain::NotifyChannel::none;
  }
  throw_if_undecodable(std::move(errors), command);
  return command;
}

domain::CreateOrder decode_create_order(const boost::json::object& body) {
  std::vector<domain::FieldError> errors;
  ObjectReader reader(body, "", errors, {"user_id", "items", "currency", "note"});
  domain::CreateOrder command;
  if (auto user_id = reader.string("user_id", true)) {
    // Not a UUID: no user can have it, which the service reports as an unknown user.
    command.user_id = util::canonical_uuid(*user_id).value_or(*user_id);
  }
  if (const auto* items = reader.array("items", true)) {
    // Only the first kMaxItems entries are decoded: a huge array cannot buy a huge error list.
    const size_t decodable = std::min(items->size(), domain::kMaxItems);
    for (size_t i = 0; i < decodable; ++i) {
      const std::string prefix = "items[" + std::to_string(i) + "]";
      const auto& entry = (*items)[i];
      if (!entry.is_object()) {
        errors.push_back({prefix, "must be an object"});
        command.items.push_back({});
        continue;
      }
      ObjectReader item(entry.get_object(), prefix + ".", errors, {"sku", "quantity", "unit_price"});
      command.items.push_back({item.string("sku", true).value_or(""), item.integer("quantity", true).value_or(0),
                               item.integer("unit_price", true).value_or(0)});
    }
    if (items->size() > domain::kMaxItems) errors.push_back({"items", "must hold 1–100 items"});
  }
  if (auto currency = reader.string("currency", false)) command.currency = *currency;
  command.note = reader.string("note", false);
  throw_if_undecodable(std::move(errors), command);
  return command;
}

}  // namespace ninja::api
