#include "http/request_decoding.hpp"

#include <cctype>

#include "http/target_decoding.hpp"

namespace ninja::http {

namespace bhttp = boost::beast::http;

Request to_request(bhttp::request<bhttp::string_body>&& message, const std::string& remote) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  decode_target(request);
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
