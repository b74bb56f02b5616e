#pragma once
// RFC 9457 problem details: the one place that shapes every 4xx/5xx body.
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace ninja::http {

struct ProblemField {
  std::string field;
  std::string message;
};

// {"type":"/problems/<slug>","title":…,"status":…,"detail":…[,"errors":[…]]} as application/problem+json.
Response problem(int status, std::string_view slug, std::string_view title, std::string_view detail,
                 const std::vector<ProblemField>& errors = {});

// 413 for a body longer than `max_body` bytes (the HTTP server's and the Lambda adapter's --max-body).
Response payload_too_large(size_t max_body);

}  // namespace ninja::http
