#include "util/json_text.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace ninja::util {

void append_serialized_string(std::string& out, std::string_view text) {
  // Ids, times, types and currencies never need escaping: they skip the serializer's copy.
  const bool plain = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\'; });
  if (!plain) {
    out += boost::json::serialize(boost::json::string_view(text.data(), text.size()));
    return;
  }
  out.push_back('"');
  out.append(text);
  out.push_back('"');
}

}  // namespace ninja::util
