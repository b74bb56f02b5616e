#pragma once
// What a client asks for, already typed; the services validate and apply them.
#include <optional>
#include <string>
#include <vector>

#include "domain/order.hpp"
#include "domain/user.hpp"

namespace ninja::domain {

struct CreateUser {
  std::string name;
  std::string email;
  std::optional<std::string> phone;
  NotifyChannel notify_channel = NotifyChannel::email;
  std::optional<std::string> webhook_url;
};

struct CreateOrder {
  std::string user_id;
  std::vector<OrderItem> items;
  std::string currency = "USD";
  std::optional<std::string> note;
};

// Where an idempotent create comes from: the key is scoped (API key id, or "" when auth is off) and
// the fingerprint identifies the exact request (method, path, body), so a reuse with another body
// is told apart from a retry.
struct IdempotencyContext {
  std::string scope;
  std::string key;
  std::string fingerprint;
};

}  // namespace ninja::domain
