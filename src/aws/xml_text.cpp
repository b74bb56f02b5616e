#include "aws/xml_text.hpp"

#include <charconv>

namespace ninja::aws {

namespace {

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x110000) {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// One entity at the start of `text` ("&amp;", "&#38;", "&#x26;"): its length, or 0 when it is not one.
size_t decode_entity(std::string_view text, std::string& out) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  for (const auto& [name, character] : kNamed) {
    if (text.starts_with(name)) {
      out += character;
      return name.size();
    }
  }
  const auto end = text.find(';');
  if (!text.starts_with("&#") || end == std::string_view::npos || end > 10) return 0;
  const bool hex = text.size() > 2 && (text[2] == 'x' || text[2] == 'X');
  const char* first = text.data() + (hex ? 3 : 2);
  const char* last = text.data() + end;
  unsigned long code = 0;
  const auto [stop, error] = std::from_chars(first, last, code, hex ? 16 : 10);
  if (error != std::errc() || stop != last || first == last) return 0;
  append_utf8(out, code);
  return end + 1;
}

}  // namespace

std::optional<std::string> xml_element_text(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  const auto begin = start + open.size();
  const auto end = xml.find(close, begin);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view raw = xml.substr(begin, end - begin);
  std::string text;
  for (size_t i = 0; i < raw.size();) {
    const size_t used = raw[i] == '&' ? decode_entity(raw.substr(i), text) : 0;
    if (used == 0) text += raw[i++];
    i += used;
  }
  return text;
}

}  // namespace ninja::aws
