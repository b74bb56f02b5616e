#pragma once
// A Query that needs `wanted` items, however many answers they come in. DynamoDB stops an answer
// at 1 MB (or at Limit) and then returns LastEvaluatedKey; moto leaves LastEvaluatedKey out when
// an answer ends exactly where the items do, AWS sends it anyway. So the items counted decide,
// not the key: while fewer than `wanted` came and a LastEvaluatedKey says more may follow, the
// next answer is asked for from there (ExclusiveStartKey) — and never more than `wanted` in all.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "storage/dynamodb/dynamodb_clients.hpp"

namespace ninja::storage::dynamodb {

// `request` is a Query body; its Limit is replaced by what is still wanted. Completes with up to
// `wanted` items in the order DynamoDB returned them.
void query_items(DynamoDbClients& clients, boost::json::object request, size_t wanted,
                 util::Completion<boost::json::array> done);

// What query_items asks for after an answer: the body of the next Query, or nullopt when the items
// are complete (`have` of `wanted`, or no LastEvaluatedKey). Pure, for the tests.
std::optional<boost::json::object> next_query(const boost::json::object& request, const boost::json::object& answer,
                                              size_t have, size_t wanted);

}  // namespace ninja::storage::dynamodb
