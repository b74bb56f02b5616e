#include "storage/dynamodb/attribute_value.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <charconv>

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

const json::object& attribute(const json::object& item, std::string_view name, std::string_view type) {
  const auto it = item.find(name);
  if (it == item.end()) throw MalformedItem("dynamodb item: attribute " + std::string(name) + " is missing");
  const auto* typed = it->value().is_object() ? &it->value().get_object() : nullptr;
  if (typed == nullptr || typed->size() != 1 || !typed->contains(type)) {
    throw MalformedItem("dynamodb item: attribute " + std::string(name) + " is not of type " + std::string(type));
  }
  return *typed;
}

// Leading and trailing zeroes do not count; one byte per two significant digits, plus one.
size_t number_size(std::string_view text) {
  const size_t first = text.find_first_of("123456789");
  if (first == std::string_view::npos) return 1;
  const size_t last = text.find_last_of("123456789");
  size_t significant = 0;
  for (size_t i = first; i <= last; ++i) significant += text[i] >= '0' && text[i] <= '9' ? 1 : 0;
  return (significant + 1) / 2 + 1;
}

size_t value_size(const json::value& value);

size_t map_size(const json::object& attributes, size_t per_entry_overhead) {
  size_t size = 0;
  for (const auto& [name, value] : attributes) size += name.size() + per_entry_overhead + value_size(value);
  return size;
}

size_t value_size(const json::value& value) {
  const auto& typed = value.as_object();
  if (typed.empty()) return 0;
  const auto& [type, inner] = *typed.begin();
  if (type == "S" || type == "B") return inner.as_string().size();
  if (type == "N") return number_size(inner.as_string());
  if (type == "BOOL" || type == "NULL") return 1;
  if (type == "L") {
    size_t size = 3;
    for (const auto& element : inner.as_array()) size += 1 + value_size(element);
    return size;
  }
  if (type == "M") return 3 + map_size(inner.as_object(), 1);
  size_t size = 3;  // string, number and binary sets
  for (const auto& element : inner.as_array()) size += element.as_string().size();
  return size;
}

}  // namespace

json::value string_value(std::string_view text) { return json::object{{"S", text}}; }

json::value number_value(int64_t number) { return json::object{{"N", std::to_string(number)}}; }

json::value list_value(json::array values) { return json::object{{"L", std::move(values)}}; }

json::value map_value(json::object attributes) { return json::object{{"M", std::move(attributes)}}; }

std::string read_string(const json::object& item, std::string_view name) {
  const auto& value = attribute(item, name, "S").at("S");
  if (!value.is_string()) throw MalformedItem("dynamodb item: attribute " + std::string(name) + " is not a string");
  return std::string(value.get_string());
}

std::optional<std::string> read_optional_string(const json::object& item, std::string_view name) {
  if (!item.contains(name)) return std::nullopt;
  return read_string(item, name);
}

int64_t read_number(const json::object& item, std::string_view name) {
  const auto& value = attribute(item, name, "N").at("N");
  const std::string_view text = value.is_string() ? std::string_view(value.get_string()) : std::string_view();
  int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw MalformedItem("dynamodb item: attribute " + std::string(name) + " is not an integer");
  }
  return number;
}

const json::array& read_list(const json::object& item, std::string_view name) {
  const auto& value = attribute(item, name, "L").at("L");
  if (!value.is_array()) throw MalformedItem("dynamodb item: attribute " + std::string(name) + " is not a list");
  return value.get_array();
}

const json::object& read_map(const json::value& value, std::string_view what) {
  const auto* typed = value.is_object() ? &value.get_object() : nullptr;
  const auto it = typed ? typed->find("M") : nullptr;
  if (typed == nullptr || typed->size() != 1 || it == typed->end() || !it->value().is_object()) {
    throw MalformedItem("dynamodb item: " + std::string(what) + " is not a map");
  }
  return it->value().get_object();
}

size_t item_size(const json::object& item) { return map_size(item, 0); }

}  // namespace ninja::storage::dynamodb
