#pragma once
// The domain's entities as DynamoDB items and back, in the layout of table_layout.hpp. Every
// attribute is a native DynamoDB type (order lines a list of maps, times epoch milliseconds as
// numbers), so the tables read well in the console and in boto3.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "domain/order.hpp"
#include "domain/store.hpp"
#include "domain/user.hpp"
#include "events/event.hpp"

namespace ninja::storage::dynamodb {

boost::json::object user_item(const domain::User& user);
// True for a user's item, false for anything else in the users table (an email claim): a GET of
// /v1/users/email%23… must be "not found", never a claim read as a user.
bool is_user_item(const boost::json::object& item);
domain::User user_from_item(const boost::json::object& item);

// The users-table item that holds `email` for `user_id`: "email#" + the address in lower case
// (emails are unique case-insensitively, as on every backend).
std::string email_claim_key(std::string_view email);
boost::json::object email_claim_item(const domain::User& user);

boost::json::object order_item(const domain::Order& order);
domain::Order order_from_item(const boost::json::object& item);

// "<scope>#<key>": scopes never contain '#', so the split is unambiguous.
std::string idempotency_key(std::string_view scope, std::string_view key);
boost::json::object idempotency_item(const domain::IdempotencyRecord& record);
domain::IdempotencyRecord idempotency_from_item(const boost::json::object& item);

// An outbox event, unpublished: it carries the sparse index's `pending` attribute.
boost::json::object outbox_item(const events::Event& event);
events::Event event_from_item(const boost::json::object& item);

}  // namespace ninja::storage::dynamodb
