#include "http/response_wire.hpp"

#include <ostream>  // boost/beast/http/status.hpp needs it declared first

#include <boost/beast/http/status.hpp>

#include <charconv>
#include <string_view>

namespace ninja::http {

namespace {

void append_number(std::string& out, size_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

// 1xx, 204 and 304 responses have no body and no Content-Length (RFC 9110 §8.6, §15.3.5).
bool has_no_content(int status) { return status / 100 == 1 || status == 204 || status == 304; }

}  // namespace

std::string to_wire(Response&& response, unsigned version, bool keep_alive, Body body) {
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
  size_t size = 64 + reason.size() + response.content_type.size() + response.body.size();
  for (const auto& h : response.headers) size += h.name.size() + h.value.size() + 4;

  std::string out;
  out.reserve(size);
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out, static_cast<size_t>(response.status));
  out.push_back(' ');
  out.append(reason.data(), reason.size()).append("\r\n");
  if (!response.content_type.empty()) append_field(out, "Content-Type", response.content_type);
  for (const auto& h : response.headers) append_field(out, h.name, h.value);
  if (version == 10 && keep_alive) append_field(out, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) append_field(out, "Connection", "close");
  if (!has_no_content(response.status)) {
    out.append("Content-Length: ");
    append_number(out, response.body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
  if (!has_no_content(response.status) && body == Body::send) out.append(response.body);
  return out;
}

}  // namespace ninja::http
