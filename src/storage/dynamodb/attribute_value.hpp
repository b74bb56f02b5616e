#pragma once
// DynamoDB's JSON wire form of values ({"S": "..."}, {"N": "12"}, {"L": [...]}, {"M": {...}}):
// builders, readers that fail with a clear message on an item of the wrong shape, and the item
// size as DynamoDB counts it against its 400 KB limit.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ninja::storage::dynamodb {

// An item or value that does not have the shape this backend writes (a table edited by hand, a
// newer schema): the message names the attribute.
class MalformedItem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

boost::json::value string_value(std::string_view text);
boost::json::value number_value(int64_t number);
boost::json::value list_value(boost::json::array values);
boost::json::value map_value(boost::json::object attributes);

std::string read_string(const boost::json::object& item, std::string_view name);
std::optional<std::string> read_optional_string(const boost::json::object& item, std::string_view name);
int64_t read_number(const boost::json::object& item, std::string_view name);
const boost::json::array& read_list(const boost::json::object& item, std::string_view name);
const boost::json::object& read_map(const boost::json::value& value, std::string_view what);

// Bytes as DynamoDB counts them: attribute names plus values (strings in UTF-8 bytes, numbers
// about one byte per two digits plus one, 3 bytes per list or map plus 1 per element).
size_t item_size(const boost::json::object& item);

}  // namespace ninja::storage::dynamodb
