#pragma once
// One invocation as the Lambda Runtime API hands it out (GET /runtime/invocation/next), and how a
// handler reports that it failed.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace ninja::lambda {

struct Invocation {
  std::string request_id;     // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;    // Lambda-Runtime-Deadline-Ms: epoch milliseconds when Lambda stops it
  std::string function_arn;   // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;       // Lambda-Runtime-Trace-Id (X-Ray)
  std::string invocation_id;  // Lambda-Runtime-Invocation-Id, echoed on the reply; empty when not sent
  std::string event;          // the body: the event JSON
};

// A handler's failure with a Lambda error type. Lambda keeps the type only when it matches
// `(Runtime|Function)\.[A-Z][a-zA-Z]+` (anything else becomes Runtime.Unknown), so the names here do.
class InvocationError : public std::runtime_error {
 public:
  InvocationError(std::string type, const std::string& message) : std::runtime_error(message), type_(std::move(type)) {}
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

// An event that is not what the handler takes (not JSON, not an API Gateway event, ...).
inline constexpr const char* kBadEvent = "Function.BadEvent";
// Anything else that escaped a handler.
inline constexpr const char* kHandlerFailed = "Function.HandlerFailed";
// Init failed (bad configuration, the store could not be opened).
inline constexpr const char* kInitFailed = "Runtime.InitFailed";

}  // namespace ninja::lambda
