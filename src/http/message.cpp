#include "http/message.hpp"

namespace ninja::http {

std::string_view Request::header(std::string_view lower_name) const {
  for (const auto& h : headers) {
    if (h.name == lower_name) return h.value;
  }
  return {};
}

bool Request::has_header(std::string_view lower_name) const {
  for (const auto& h : headers) {
    if (h.name == lower_name) return true;
  }
  return false;
}

const std::string* Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

size_t Request::query_count(std::string_view name) const {
  size_t count = 0;
  for (const auto& entry : query) count += entry.first == name ? 1 : 0;
  return count;
}

Response Response::json(int status, std::string body) {
  return Response{status, "application/json; charset=utf-8", {}, std::move(body), {}};
}

Response Response::text(int status, std::string content_type, std::string body) {
  return Response{status, std::move(content_type), {}, std::move(body), {}};
}

Response Response::empty(int status) { return Response{status, {}, {}, {}, {}}; }

Response& Response::with_header(std::string name, std::string value) {
  headers.push_back({std::move(name), std::move(value)});
  return *this;
}

std::string_view PathParams::get(std::string_view name) const {
  for (const auto& [key, value] : values) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace ninja::http
