#pragma once
// DynamoDB's size limits, checked on a transaction before it is sent: an item of at most 400 KB, a
// partition key of at most 2048 bytes, a sort key (also an index's) of at most 1024 bytes, at most
// 100 parts. A write that breaks one could never succeed; the service would refuse it with a
// ValidationException that says little, the caller gets this instead.
#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "storage/dynamodb/table_layout.hpp"

namespace ninja::storage::dynamodb {

// What in the TransactWriteItems body `transact` is too large, or nullopt when it fits.
std::optional<std::string> limit_violation(const TableLayout& layout, const boost::json::object& transact);

}  // namespace ninja::storage::dynamodb
