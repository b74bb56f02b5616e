#include "aws/aws_error.hpp"

#include <boost/json/parse.hpp>

#include <array>

#include "aws/xml_text.hpp"

namespace ninja::aws {

namespace {

// A message from the network goes into log lines: one line, bounded.
std::string one_line(std::string text) {
  constexpr size_t kMax = 300;
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > kMax) text = text.substr(0, kMax) + "…";
  return text;
}

std::string json_string(const boost::json::object& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (const auto* value = object.if_contains(key); value != nullptr && value->is_string()) {
      return std::string(value->get_string());
    }
  }
  return {};
}

std::pair<std::string, std::string> json_error(const net::HttpExchange& exchange) {
  std::string type;
  std::string message;
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(exchange.body, ec);
  if (!ec && parsed.is_object()) {
    type = json_string(parsed.get_object(), {"__type", "code"});
    message = json_string(parsed.get_object(), {"message", "Message"});
  }
  // DynamoDB also names the type in a header ("Type:http://internal.amazon.com/…").
  if (type.empty()) {
    if (const auto header = exchange.header("x-amzn-errortype"))
      type = std::string(header->substr(0, header->find(':')));
  }
  if (const auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  return {type, message};
}

}  // namespace

AwsError::AwsError(std::string service, std::string operation, std::string type, std::string message, long status,
                   bool retryable, std::string body)
    : std::runtime_error(service + " " + operation + ": " + type +
                         (status != 0 ? " (HTTP " + std::to_string(status) + ")" : "") +
                         (message.empty() ? "" : ": " + message)),
      service_(std::move(service)),
      operation_(std::move(operation)),
      type_(std::move(type)),
      message_(std::move(message)),
      status_(status),
      retryable_(retryable),
      body_(std::move(body)) {}

bool is_throttling(const std::string& type) {
  // DynamoDB, SQS and SNS throttling codes, and the generic ones of the AWS SDKs' retry rules.
  static constexpr std::array<std::string_view, 10> kThrottling = {"ProvisionedThroughputExceededException",
                                                                   "ThrottlingException",
                                                                   "RequestLimitExceeded",
                                                                   "Throttling",
                                                                   "TooManyRequestsException",
                                                                   "ThrottledException",
                                                                   "RequestThrottled",
                                                                   "RequestThrottledException",
                                                                   "LimitExceededException",
                                                                   "KMSThrottlingException"};
  for (const auto name : kThrottling) {
    if (type == name) return true;
  }
  return false;
}

AwsError error_from(const net::HttpExchange& exchange, Protocol protocol, const std::string& service,
                    const std::string& operation) {
  if (!exchange.responded()) {
    return {service, operation, "transport", one_line(exchange.error), 0, true, {}};
  }
  std::string type;
  std::string message;
  if (protocol == Protocol::json) {
    std::tie(type, message) = json_error(exchange);
  } else {
    type = xml_element_text(exchange.body, "Code").value_or("");
    message = xml_element_text(exchange.body, "Message").value_or("");
  }
  if (type.empty()) type = "HTTP " + std::to_string(exchange.status);
  const bool retryable = is_throttling(type) || exchange.status >= 500 || exchange.status == 429;
  return {service, operation, one_line(type), one_line(message), exchange.status, retryable, exchange.body};
}

}  // namespace ninja::aws
