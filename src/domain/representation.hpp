#pragma once
// The one JSON representation of each entity: API responses, CloudEvent `data` ("the order as GET
// returns it") and idempotent replays all use it, so they cannot drift apart.
#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

#include "domain/delivery.hpp"
#include "domain/order.hpp"
#include "domain/user.hpp"

namespace ninja::domain {

enum class SecretVisibility { hidden, shown };

// `storage`: where the tree lives; a caller that only serializes it passes an arena on its stack.
boost::json::object to_json(const User& user, SecretVisibility secret = SecretVisibility::hidden,
                            boost::json::storage_ptr storage = {});
boost::json::object to_json(const Order& order, boost::json::storage_ptr storage = {});
boost::json::array items_to_json(const std::vector<OrderItem>& items, boost::json::storage_ptr storage = {});
// The inverse, for stores that keep the items as that JSON text (they wrote it themselves: throws
// on anything else).
std::vector<OrderItem> items_from_json(std::string_view text);
// A notification delivery as GET /v1/orders/{id}/notifications lists it.
boost::json::object to_json(const Delivery& delivery);

}  // namespace ninja::domain
