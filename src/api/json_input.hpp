#pragma once
// Strict JSON request decoding: body parsing with limits, and a reader that type-checks the fields
// of an object while collecting every error with its path.
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/errors.hpp"
#include "domain/validation.hpp"
#include "http/message.hpp"

namespace ninja::api {

inline constexpr unsigned kMaxJsonDepth = 32;

// 400: the body is not JSON (syntax, invalid UTF-8, too deep) or not an object.
class MalformedJson : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 415: the request does not declare a JSON body.
class UnsupportedMediaType : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Checks Content-Type and parses the body into an object. Throws the two errors above.
boost::json::object parse_json_object(const http::Request& request);

// Reads the fields of one JSON object. Each accessor returns nullopt when the field is absent or
// null, or has the wrong type / range (then an error naming `prefix + name` is recorded).
class ObjectReader {
 public:
  ObjectReader(const boost::json::object& object, std::string prefix, std::vector<domain::FieldError>& errors,
               std::initializer_list<std::string_view> known_fields);

  std::optional<std::string> string(std::string_view name, bool required);
  std::optional<int64_t> integer(std::string_view name, bool required);
  // Any JSON number (integer or not).
  std::optional<double> number(std::string_view name, bool required);
  const boost::json::array* array(std::string_view name, bool required);

  // The path of a field, e.g. items[0].quantity.
  std::string path(std::string_view name) const { return prefix_ + std::string(name); }

 private:
  const boost::json::value* find(std::string_view name, bool required);
  void fail(std::string_view name, std::string message);

  const boost::json::object& object_;
  std::string prefix_;
  std::vector<domain::FieldError>& errors_;
};

// `decode_errors` plus those `rule_errors` whose field decoded fine (a field that failed to decode
// is reported once, with the decode reason).
std::vector<domain::FieldError> merge_errors(std::vector<domain::FieldError> decode_errors,
                                             std::vector<domain::FieldError> rule_errors);

// When decoding failed, throws ValidationError naming every bad field: the decode errors and the
// business-rule errors of the partially decoded command. Otherwise the service validates.
template <class Command>
void throw_if_undecodable(std::vector<domain::FieldError> decode_errors, const Command& partial) {
  if (decode_errors.empty()) return;
  throw domain::ValidationError(merge_errors(std::move(decode_errors), domain::validate(partial)));
}

}  // namespace ninja::api
