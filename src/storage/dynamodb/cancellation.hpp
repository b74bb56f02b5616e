#pragma once
// Reading a cancelled TransactWriteItems: the service answers TransactionCanceledException with
// one CancellationReason per part, in the order of TransactItems ("None" for the parts that were
// fine, "ConditionalCheckFailed", "TransactionConflict" when another transaction held an item,
// "ThrottlingError", "ValidationError", ...).
#include <boost/json/value.hpp>

#include <exception>
#include <optional>
#include <string_view>

namespace ninja::storage::dynamodb {

// The reasons of a cancelled transaction, or nullopt for any other error (or a cancellation
// whose body lists none).
std::optional<boost::json::value> cancellation_reasons(const std::exception_ptr& error);

// Whether a single conditional write (PutItem, UpdateItem, DeleteItem) failed its condition.
bool is_condition_failure(const std::exception_ptr& error);

// Whether any part failed with `code`; whether part `index` did.
bool any_reason(const boost::json::value& reasons, std::string_view code);
bool reason_at(const boost::json::value& reasons, size_t index, std::string_view code);

}  // namespace ninja::storage::dynamodb
