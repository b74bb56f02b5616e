#pragma once
// The one JSON representation of each entity: API responses, CloudEvent `data` ("the order as GET
// returns it") and idempotent replays all use it, so they cannot drift apart.
#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

#include "domain/api_key.hpp"
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
// A dead letter as `dlq list` prints it and GET /admin/v1/dead-letters lists it: the delivery and
// whose order it was.
boost::json::object dead_letter_to_json(const Delivery& delivery);
// An API key as `apikey list` prints it and GET /admin/v1/api-keys lists it: id, name, rate, burst
// (null when unset), created_at, revoked_at (null while live); never the key or its hash.
boost::json::object to_json(const ApiKey& key);

}  // namespace ninja::domain
