#pragma once
// What an AWS service answered when it refused a call, and whether trying again can help.
//
// AwsError goes back to the caller as it is: a conditional check that failed, a cancelled
// transaction (its body holds the CancellationReasons), a validation error. AwsUnavailable is what
// throttling, 5xx answers and transport failures become once the retries are used up: a
// util::Unavailable, so the API answers 503 with Retry-After. Neither message holds a secret:
// they are built from the service, the operation, the endpoint's host and the service's answer.
#include <string>

#include "net/curl_multi.hpp"
#include "util/unavailable.hpp"

namespace ninja::aws {

enum class Protocol { json, query };  // DynamoDB/SQS JSON 1.0, SNS Query (XML answers)

class AwsError : public std::runtime_error {
 public:
  AwsError(std::string service, std::string operation, std::string type, std::string message, long status,
           bool retryable, std::string body);
  const std::string& service() const { return service_; }
  const std::string& operation() const { return operation_; }
  // "ConditionalCheckFailedException": the part after '#' in a JSON `__type`, or the XML `Code`;
  // "transport" when no answer arrived (then message() is curl's description).
  const std::string& type() const { return type_; }
  const std::string& message() const { return message_; }
  long status() const { return status_; }  // 0 without an answer
  bool retryable() const { return retryable_; }
  const std::string& body() const { return body_; }  // the answer as received (≤ the client's limit)

 private:
  std::string service_, operation_, type_, message_;
  long status_;
  bool retryable_;
  std::string body_;
};

class AwsUnavailable : public util::Unavailable {
 public:
  AwsUnavailable(const std::string& what, std::string type) : util::Unavailable(what), type_(std::move(type)) {}
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

// True for the error types AWS documents as throttling (retry after a while).
bool is_throttling(const std::string& type);

// The error in a non-2xx answer, or for a transfer that got no answer.
AwsError error_from(const net::HttpExchange& exchange, Protocol protocol, const std::string& service,
                    const std::string& operation);

}  // namespace ninja::aws
