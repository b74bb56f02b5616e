#pragma once
// JSON text written by hand where building a tree to serialize it would cost more than the answer:
// the order's GET body, the CloudEvent envelope. Byte for byte what Boost.JSON's serializer writes.
// (util::append_json_string in logging.hpp is the log lines' escaper: it also repairs invalid UTF-8
// and escapes DEL, so its text differs from the serializer's and cannot stand in for it.)
#include <string>
#include <string_view>

namespace ninja::util {

// Appends `text` as a JSON string, quoted and escaped exactly as boost::json::serialize does.
void append_serialized_string(std::string& out, std::string_view text);

}  // namespace ninja::util
