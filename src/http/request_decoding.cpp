#include "http/request_decoding.hpp"

#include <boost/url/parse.hpp>

#include <cctype>

namespace ninja::http {

namespace bhttp = boost::beast::http;

namespace {

// RFC 3986's pchar without pct-encoded, and '/': an origin-form target of only these characters is
// valid, is its own path and has no query, so it needs no URL parser (nearly every GET of an id).
bool is_plain_path(std::string_view target) {
  if (target.empty() || target.front() != '/') return false;
  for (const char c : target) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    const bool other = c == '/' || c == ':' || c == '@' || c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' ||
                       c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=';
    if (!unreserved && !other) return false;
  }
  return true;
}

}  // namespace

Request to_request(bhttp::request<bhttp::string_body>&& message, const std::string& remote) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  if (is_plain_path(request.target)) {
    request.path = request.target;
  } else if (auto url = boost::urls::parse_origin_form(request.target)) {
    request.path = std::string(url->encoded_path());
    for (auto param : url->params()) request.query.emplace_back(param.key, param.value);
  } else if (const auto question = request.target.find('?');
             question != std::string::npos && boost::urls::parse_origin_form(request.target.substr(0, question))) {
    request.path = request.target.substr(0, question);  // a good path with a broken query (`?cursor=%%%`): 400
    request.malformed_query = true;
  } else {
    request.path = request.target;  // routes nowhere: 404
  }
  request.headers.reserve(16);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.push_back({std::move(name), std::string(field.value())});
  }
  request.body = std::move(message.body());
  request.remote_address = remote;
  return request;
}

}  // namespace ninja::http
