#pragma once
// A client of the Lambda Runtime API (version 2018-06-01) at $AWS_LAMBDA_RUNTIME_API: fetch the
// next invocation, post its response or error, or report that init failed. One environment runs
// one invocation at a time, so the calls are blocking, on one thread, over one kept-alive
// connection; the handlers themselves wait for the store on the event loops.
#include <string>
#include <string_view>

#include "lambda/invocation.hpp"
#include "net/curl_handle.hpp"

namespace ninja::lambda {

// The Runtime API could not be reached or answered something unusable: the process should exit
// (Lambda then starts a fresh environment).
class RuntimeApiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What became of a reply.
enum class ReplyOutcome {
  accepted,  // 202
  too_late,  // 410: the invocation timed out meanwhile (Lambda has moved on; not an error of ours)
  refused,   // 400, 403, 413: a wrong id, a second reply, a response over 6 MiB
};

class RuntimeClient {
 public:
  // `address` is host:port, as in AWS_LAMBDA_RUNTIME_API.
  explicit RuntimeClient(std::string address);

  // Waits, without a time limit (the environment may be frozen in between), for the next event.
  Invocation next();
  ReplyOutcome respond(const Invocation& invocation, std::string_view body);
  ReplyOutcome fail(const Invocation& invocation, std::string_view error_type, std::string_view message);
  // After this the process must exit.
  void init_error(std::string_view error_type, std::string_view message);

 private:
  struct Reply {
    long status = 0;
    std::string body;
  };
  Reply post(const std::string& path, std::string_view body, const std::string& error_type,
             const std::string& invocation_id);

  std::string base_;  // http://host:port/2018-06-01
  net::CurlEasy easy_;
};

// {"errorMessage":…,"errorType":…,"stackTrace":[]}: the body of /error and /init/error.
std::string error_document(std::string_view error_type, std::string_view message);

}  // namespace ninja::lambda
