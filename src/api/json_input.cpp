#include "api/json_input.hpp"

#include <boost/json/parser.hpp>

#include <algorithm>

namespace ninja::api {
namespace {

bool is_json_media_type(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  std::string lowered;
  for (char c : type) {
    if (c != ' ' && c != '\t') lowered.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return lowered == "application/json";
}

std::string_view type_name(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::null:
      return "null";
    default:
      return "a number";
  }
}

}  // namespace

boost::json::object parse_json_object(const http::Request& request) {
  if (!is_json_media_type(request.header("content-type"))) {
    throw UnsupportedMediaType("the body must be application/json");
  }
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  options.allow_invalid_utf8 = false;
  boost::json::parser parser({}, options);
  boost::json::error_code ec;
  parser.write(request.body.data(), request.body.size(), ec);
  if (ec) throw MalformedJson("the body is not valid JSON: " + ec.message());
  boost::json::value value = parser.release();
  if (!value.is_object()) throw MalformedJson("the body must be a JSON object");
  return std::move(value.as_object());
}

ObjectReader::ObjectReader(const boost::json::object& object, std::string prefix,
                           std::vector<domain::FieldError>& errors,
                           std::initializer_list<std::string_view> known_fields)
    : object_(object), prefix_(std::move(prefix)), errors_(errors) {
  for (const auto& field : object_) {
    if (std::find(known_fields.begin(), known_fields.end(), field.key()) == known_fields.end()) {
      errors_.push_back({path(field.key()), "is not a known field"});
    }
  }
}

void ObjectReader::fail(std::string_view name, std::string message) {
  errors_.push_back({path(name), std::move(message)});
}

const boost::json::value* ObjectReader::find(std::string_view name, bool required) {
  const auto* value = object_.if_contains(name);
  if (!value || value->is_null()) {
    if (required) fail(name, "is required");
    return nullptr;
  }
  return value;
}

std::optional<std::string> ObjectReader::string(std::string_view name, bool required) {
  const auto* value = find(name, required);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    fail(name, "must be a string, not " + std::string(type_name(*value)));
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<int64_t> ObjectReader::integer(std::string_view name, bool required) {
  const auto* value = find(name, required);
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() || value->is_double()) {
    fail(name, value->is_double() ? "must be an integer" : "is out of range");
    return std::nullopt;
  }
  fail(name, "must be an integer, not " + std::string(type_name(*value)));
  return std::nullopt;
}

std::optional<double> ObjectReader::number(std::string_view name, bool required) {
  const auto* value = find(name, required);
  if (!value) return std::nullopt;
  if (value->is_number()) return value->to_number<double>();
  fail(name, "must be a number, not " + std::string(type_name(*value)));
  return std::nullopt;
}

const boost::json::array* ObjectReader::array(std::string_view name, bool required) {
  const auto* value = find(name, required);
  if (!value) return nullptr;
  if (!value->is_array()) {
    fail(name, "must be an array, not " + std::string(type_name(*value)));
    return nullptr;
  }
  return &value->get_array();
}

std::vector<domain::FieldError> merge_errors(std::vector<domain::FieldError> decode_errors,
                                             std::vector<domain::FieldError> rule_errors) {
  for (auto& rule : rule_errors) {
    const bool reported = std::any_of(decode_errors.begin(), decode_errors.end(), [&](const auto& d) {
      return d.field == rule.field || rule.field.rfind(d.field + ".", 0) == 0;  // the field or a member of it
    });
    if (!reported) decode_errors.push_back(std::move(rule));
  }
  return decode_errors;
}

}  // namespace ninja::api
