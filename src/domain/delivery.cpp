#include "domain/delivery.hpp"

#include <array>
#include <utility>

namespace ninja::domain {
namespace {

constexpr std::array<std::pair<DeliveryStatus, std::string_view>, 5> kNames = {{
    {DeliveryStatus::pending, "pending"},
    {DeliveryStatus::delivered, "delivered"},
    {DeliveryStatus::failed, "failed"},
    {DeliveryStatus::dead, "dead"},
    {DeliveryStatus::skipped, "skipped"},
}};

}  // namespace

std::string_view to_string(DeliveryStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "pending";
}

std::optional<DeliveryStatus> parse_delivery_status(std::string_view text) {
  for (const auto& [value, name] : kNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace ninja::domain
