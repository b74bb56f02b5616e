#include "storage/dynamodb/cancellation.hpp"

#include <boost/json/parse.hpp>

#include "aws/aws_error.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

bool has_code(const json::value& reason, std::string_view code) {
  const auto* object = reason.if_object();
  const auto* value = object ? object->if_contains("Code") : nullptr;
  return value && value->is_string() && value->get_string() == code;
}

}  // namespace

std::optional<json::value> cancellation_reasons(const std::exception_ptr& error) {
  if (!error) return std::nullopt;
  try {
    std::rethrow_exception(error);
  } catch (const aws::AwsError& e) {
    if (e.type() != "TransactionCanceledException") return std::nullopt;
    boost::system::error_code ec;
    auto body = json::parse(e.body(), ec);
    if (ec || !body.is_object()) return std::nullopt;
    auto* reasons = body.get_object().if_contains("CancellationReasons");
    if (reasons == nullptr || !reasons->is_array()) return std::nullopt;
    return std::move(*reasons);
  } catch (...) {
    return std::nullopt;
  }
}

bool any_reason(const json::value& reasons, std::string_view code) {
  if (!reasons.is_array()) return false;
  for (const auto& reason : reasons.get_array()) {
    if (has_code(reason, code)) return true;
  }
  return false;
}

bool reason_at(const json::value& reasons, size_t index, std::string_view code) {
  return reasons.is_array() && index < reasons.get_array().size() && has_code(reasons.get_array()[index], code);
}

bool is_condition_failure(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const aws::AwsError& e) {
    return e.type() == "ConditionalCheckFailedException";
  } catch (...) {
    return false;
  }
}

}  // namespace ninja::storage::dynamodb
