#include "lambda/api_gateway_reply.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "util/base64.hpp"

namespace ninja::lambda {

bool is_valid_utf8(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    size_t extra = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;  // the range of the byte after the lead byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) low = 0xA0;   // no overlongs
      if (c == 0xED) high = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;  // at most U+10FFFF
    } else {
      return false;
    }
    if (i + extra >= bytes.size()) return false;  // cut short
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      const unsigned char lo = k == 1 ? low : 0x80;
      const unsigned char hi = k == 1 ? high : 0xBF;
      if (next < lo || next > hi) return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string encode_gateway_response(const http::Response& response, PayloadFormat format, bool head) {
  boost::json::object out;
  out["statusCode"] = response.status;
  boost::json::object headers;
  auto add = [&](const std::string& name, const std::string& value) {
    if (format == PayloadFormat::v1) {
      auto& values = headers[name];
      if (!values.is_array()) values = boost::json::array();
      values.as_array().emplace_back(value);
    } else if (auto* existing = headers.if_contains(name)) {
      existing->as_string().append(",").append(value);
    } else {
      headers[name] = value;
    }
  };
  if (!response.content_type.empty()) add("Content-Type", response.content_type);
  for (const auto& h : response.headers) add(h.name, h.value);
  out[format == PayloadFormat::v1 ? "multiValueHeaders" : "headers"] = std::move(headers);
  const std::string_view body = head ? std::string_view() : std::string_view(response.body);
  if (is_valid_utf8(body)) {
    out["body"] = body;
    out["isBase64Encoded"] = false;
  } else {
    out["body"] = util::base64_encode(body);
    out["isBase64Encoded"] = true;
  }
  return boost::json::serialize(out);
}

}  // namespace ninja::lambda
