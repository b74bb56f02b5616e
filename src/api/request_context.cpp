#include "api/request_context.hpp"

#include <algorithm>
#include <charconv>

#include "util/base64.hpp"
#include "util/crypto.hpp"
#include "util/uuid.hpp"

namespace ninja::api {
namespace {
constexpr std::string_view kCursorTag = "v1:";
constexpr size_t kMaxIdempotencyKey = 255;
}  // namespace

const std::string* single_query_param(const http::Request& request, std::string_view name) {
  if (request.query_count(name) > 1) throw BadQuery("query parameter " + std::string(name) + " is repeated");
  return request.query_param(name);
}

size_t limit_param(const http::Request& request, size_t default_limit, size_t max_limit) {
  const auto* limit = single_query_param(request, "limit");
  if (!limit) return default_limit;
  size_t value = 0;
  const auto* end = limit->data() + limit->size();
  const auto [ptr, ec] = std::from_chars(limit->data(), end, value);
  if (ec != std::errc() || ptr != end || limit->empty() || value < 1 || value > max_limit) {
    throw BadQuery("limit must be an integer from 1 to " + std::to_string(max_limit));
  }
  return value;
}

domain::PageQuery page_query(const http::Request& request) {
  domain::PageQuery query;
  query.limit = limit_param(request, kDefaultPageSize, kMaxPageSize);
  if (const auto* cursor = single_query_param(request, "cursor")) {
    query.before_id = decode_cursor(*cursor);
    if (!query.before_id) throw BadQuery("cursor is not one this service issued");
  }
  return query;
}

std::string encode_cursor(std::string_view last_id) {
  std::string raw(kCursorTag);
  raw.append(last_id);
  return util::base64url_encode(raw);
}

std::optional<std::string> decode_cursor(std::string_view cursor) {
  if (cursor.size() > 128) return std::nullopt;
  auto raw = util::base64url_decode(cursor);
  if (!raw || raw->rfind(kCursorTag, 0) != 0) return std::nullopt;
  auto id = util::canonical_uuid(std::string_view(*raw).substr(kCursorTag.size()));
  if (!id || *id != raw->substr(kCursorTag.size())) return std::nullopt;
  return id;
}

std::optional<domain::IdempotencyContext> idempotency_context(const http::Request& request) {
  if (!request.has_header("idempotency-key")) return std::nullopt;
  const std::string_view key = request.header("idempotency-key");
  const bool visible = std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7F; });
  if (key.empty() || key.size() > kMaxIdempotencyKey || !visible) {
    throw BadIdempotencyKey("Idempotency-Key must be 1–255 visible ASCII characters");
  }
  std::string material = request.method;
  material.append("\n").append(request.path).append("\n").append(request.body);
  return domain::IdempotencyContext{request.client_id, std::string(key), util::sha256_hex(material)};
}

}  // namespace ninja::api
