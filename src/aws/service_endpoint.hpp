#pragma once
// Where one AWS service is reached and under which name it signs: the public endpoint of the
// region (https://dynamodb.eu-west-1.amazonaws.com/), or an override such as moto's
// http://127.0.0.1:PORT, given as `?endpoint=URL` in a store or bus URL.
#include <optional>
#include <string>

namespace ninja::aws {

struct ServiceEndpoint {
  std::string service;  // the signing name: "dynamodb", "sqs", "sns"
  std::string region;   // "us-east-1"
  std::string url;      // where requests are POSTed, always with a path ("/" at least)
  std::string host;     // host[:port] of `url`, for log lines
};

// Throws std::invalid_argument for an override that is not a plain http(s) URL: no user or
// password (credentials travel in the signature only), no query, no fragment.
ServiceEndpoint service_endpoint(const std::string& service, const std::string& region,
                                 const std::optional<std::string>& override_url = std::nullopt);

}  // namespace ninja::aws
