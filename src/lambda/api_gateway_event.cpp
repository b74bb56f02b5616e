#include "lambda/api_gateway_event.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <cctype>

#include "http/pipeline.hpp"
#include "http/target_decoding.hpp"
#include "lambda/invocation.hpp"
#include "util/base64.hpp"

namespace ninja::lambda {
namespace {

namespace json = boost::json;

[[noreturn]] void bad_event(const std::string& why) { throw InvocationError(kBadEvent, why); }

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;  // absent or null (a console test call sends nulls)
}

std::string string_field(const json::object* o, std::string_view key) {
  if (!o) return {};
  const auto* v = o->if_contains(key);
  const auto* s = v ? v->if_string() : nullptr;
  return s ? std::string(*s) : std::string();
}

std::string lower_cased(std::string_view name) {
  std::string out(name);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr auto kPathChars = boost::urls::pchars + '/';

std::string percent_encode(std::string_view text) { return boost::urls::encode(text, boost::urls::unreserved_chars); }

// 1.0's query arrives decoded: each key's values, in order, re-encoded into a query string that
// decode_target() turns back into exactly these pairs.
std::string v1_query(const json::object& event) {
  std::string query;
  auto append = [&query](std::string_view key, std::string_view value) {
    if (!query.empty()) query.push_back('&');
    query += percent_encode(key);
    query.push_back('=');
    query += percent_encode(value);
  };
  if (const auto* multi = object_at(event, "multiValueQueryStringParameters")) {
    for (const auto& [key, values] : *multi) {
      if (const auto* list = values.if_array()) {
        for (const auto& v : *list) {
          if (const auto* s = v.if_string()) append(key, *s);
        }
      }
    }
  } else if (const auto* single = object_at(event, "queryStringParameters")) {
    for (const auto& [key, value] : *single) {
      if (const auto* s = value.if_string()) append(key, *s);
    }
  }
  return query;
}

void v1_headers(const json::object& event, http::Request& request) {
  if (const auto* multi = object_at(event, "multiValueHeaders")) {
    for (const auto& [name, values] : *multi) {
      if (const auto* list = values.if_array()) {
        for (const auto& v : *list) {
          if (const auto* s = v.if_string()) request.headers.push_back({lower_cased(name), std::string(*s)});
        }
      }
    }
  } else if (const auto* single = object_at(event, "headers")) {
    for (const auto& [name, value] : *single) {
      if (const auto* s = value.if_string()) request.headers.push_back({lower_cased(name), std::string(*s)});
    }
  }
}

void v2_headers(const json::object& event, http::Request& request) {
  if (const auto* headers = object_at(event, "headers")) {
    for (const auto& [name, value] : *headers) {
      if (const auto* s = value.if_string()) request.headers.push_back({lower_cased(name), std::string(*s)});
    }
  }
  // 2.0 moves Cookie headers into a list of their own.
  const auto* cookies = event.if_contains("cookies");
  if (const auto* list = cookies ? cookies->if_array() : nullptr; list && !list->empty()) {
    std::string joined;
    for (const auto& c : *list) {
      if (const auto* s = c.if_string()) joined.append(joined.empty() ? "" : "; ").append(*s);
    }
    request.headers.push_back({"cookie", std::move(joined)});
  }
}

std::string body_of(const json::object& event) {
  const auto* body = event.if_contains("body");
  const auto* text = body ? body->if_string() : nullptr;
  if (!text) return {};  // null or absent: no body
  const auto* flag = event.if_contains("isBase64Encoded");
  if (flag && flag->is_bool() && flag->as_bool()) {
    auto bytes = util::base64_decode(*text);
    if (!bytes) bad_event("isBase64Encoded is set but the body is not base64");
    return std::move(*bytes);
  }
  return std::string(*text);
}

}  // namespace

GatewayRequest decode_gateway_event(std::string_view event) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(event, ec);
  if (ec) bad_event("the event is not JSON: " + ec.message());
  const auto* root = parsed.if_object();
  if (!root) bad_event("the event is not a JSON object");
  const auto* context = object_at(*root, "requestContext");

  GatewayRequest out;
  auto& request = out.request;
  if (string_field(root, "version") == "2.0") {
    out.format = PayloadFormat::v2;
    const auto* http = context ? object_at(*context, "http") : nullptr;
    request.method = string_field(http, "method");
    // Despite its name, HTTP APIs deliver rawPath decoded: encode what may not stand in a path ('%',
    // '?', '#', spaces, non-ASCII) again, so a decoded '?' cannot start a query nor '%' decode twice.
    request.target = boost::urls::encode(string_field(root, "rawPath"), kPathChars);
    const std::string query = string_field(root, "rawQueryString");
    if (!query.empty()) request.target += "?" + query;
    request.remote_address = string_field(http, "sourceIp");
    v2_headers(*root, request);
  } else {
    out.format = PayloadFormat::v1;
    request.method = string_field(root, "httpMethod");
    // `path`, not requestContext.path: the latter starts with the stage.
    request.target = string_field(root, "path");
    const std::string query = v1_query(*root);
    if (!query.empty()) request.target += "?" + query;
    const auto* identity = context ? object_at(*context, "identity") : nullptr;
    request.remote_address = string_field(identity, "sourceIp");
    request.client_id = string_field(identity, "apiKeyId");
    v1_headers(*root, request);
  }
  if (request.method.empty() || request.target.empty()) {
    bad_event(
        "not an API Gateway proxy event (no httpMethod and path, nor a 2.0 requestContext.http.method and rawPath)");
  }
  http::decode_target(request);
  request.body = body_of(*root);
  // The client's id when it is usable, else API Gateway's, so that the access log joins its logs.
  const std::string gateway_id = string_field(context, "requestId");
  if (!http::is_acceptable_request_id(request.header("x-request-id")) && !gateway_id.empty()) {
    std::erase_if(request.headers, [](const http::Header& h) { return h.name == "x-request-id"; });
    request.headers.push_back({"x-request-id", gateway_id});
  }
  return out;
}

}  // namespace ninja::lambda
