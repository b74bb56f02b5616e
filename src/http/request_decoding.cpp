#include "http/request_decoding.hpp"

#include <boost/url/parse.hpp>

#include <cctype>

namespace ninja::http {

namespace bhttp = boost::beast::http;

Request to_request(bhttp::request<bhttp::string_body>&& message, const std::string& remote) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  if (auto url = boost::urls::parse_origin_form(request.target)) {
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
