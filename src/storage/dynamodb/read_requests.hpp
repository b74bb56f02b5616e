#pragma once
// The bodies of the DynamoDB calls that read, and their answers as domain values. A page asks for
// one item more than it returns: whether that item came is `has_more`, so paging never depends on
// LastEvaluatedKey (which moto omits when a page is exactly full and AWS sends anyway), and the
// cursor stays the last id, as on every backend — it rebuilds the index position by itself.
#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "domain/order.hpp"
#include "domain/store.hpp"
#include "domain/user.hpp"
#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

// A strongly consistent GetItem: a GET right after its 201 must find the entity.
boost::json::object get_item_request(const std::string& table, std::string_view key_attribute, std::string_view key);

boost::json::object list_users_request(const TableLayout& layout, const domain::PageQuery& query);
// All orders (the `newest` index), or one user's (`by_user`). Index reads are eventually
// consistent: an order may join a listing a moment after its 201.
boost::json::object list_orders_request(const TableLayout& layout, const domain::PageQuery& query,
                                        const std::optional<std::string>& user_id);

// The item of a GetItem answer, if there is one.
std::optional<boost::json::object> item_of(const boost::json::object& get_item_answer);

// A Query answer as a page of at most `limit` items.
domain::Page<domain::User> users_page(const boost::json::object& query_answer, size_t limit);
domain::Page<domain::Order> orders_page(const boost::json::object& query_answer, size_t limit);

}  // namespace ninja::storage::dynamodb
