#include "http/target_decoding.hpp"

#include <boost/url/parse.hpp>

namespace ninja::http {
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

void decode_target(Request& request) {
  const std::string& target = request.target;
  if (is_plain_path(target)) {
    request.path = target;
  } else if (auto url = boost::urls::parse_origin_form(target)) {
    request.path = std::string(url->encoded_path());
    for (auto param : url->params()) request.query.emplace_back(param.key, param.value);
  } else if (const auto question = target.find('?');
             question != std::string::npos && boost::urls::parse_origin_form(target.substr(0, question))) {
    request.path = target.substr(0, question);  // a good path with a broken query (`?cursor=%%%`): 400
    request.malformed_query = true;
  } else {
    request.path = target;  // routes nowhere: 404
  }
}

}  // namespace ninja::http
