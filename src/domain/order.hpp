#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ninja::domain {

struct OrderItem {
  std::string sku;
  int64_t quantity = 0;
  int64_t unit_price = 0;  // minor units of the order's currency
};

struct Order {
  std::string id;
  std::string user_id;
  std::vector<OrderItem> items;
  std::string currency;
  int64_t total = 0;  // Σ quantity × unit_price; at most 100 × 1000 × 10^8 = 10^13, exact in int64
  std::string status = "created";
  std::optional<std::string> note;
  int64_t created_at_ms = 0;
};

}  // namespace ninja::domain
