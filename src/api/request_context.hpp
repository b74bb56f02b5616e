#pragma once
// What handlers read from a request besides the body: paging parameters, cursors, idempotency.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "domain/commands.hpp"
#include "domain/store.hpp"
#include "http/message.hpp"

namespace ninja::api {

// 400: a malformed query parameter.
class BadQuery : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 400: an Idempotency-Key header that is empty, too long or not visible ASCII.
class BadIdempotencyKey : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr size_t kDefaultPageSize = 20;
inline constexpr size_t kMaxPageSize = 100;

// The query parameter `name`, or nullptr; throws BadQuery when it is repeated (which one would the
// client mean?).
const std::string* single_query_param(const http::Request& request, std::string_view name);

// The `limit` query parameter: an integer from 1 to `max_limit`, `default_limit` when absent;
// throws BadQuery.
size_t limit_param(const http::Request& request, size_t default_limit, size_t max_limit);

// `limit` (1–100, default 20) and `cursor`; throws BadQuery.
domain::PageQuery page_query(const http::Request& request);

// Cursors are opaque to clients: base64url of a version tag and the last id of the page.
std::string encode_cursor(std::string_view last_id);
std::optional<std::string> decode_cursor(std::string_view cursor);

// The request's idempotency context, or nullopt without the header. Throws BadIdempotencyKey.
std::optional<domain::IdempotencyContext> idempotency_context(const http::Request& request);

}  // namespace ninja::api
