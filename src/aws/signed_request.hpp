#pragma once
// One signed AWS request as a curl transfer: a POST of `body` to the service endpoint, signed by
// libcurl (CURLOPT_AWS_SIGV4, "aws:amz:REGION:SERVICE") with the credentials, plus the session
// token header for temporary credentials. Always a body, never a query string: curl 7.88 (Debian
// 12) signs query strings wrongly (curl#9717), so DynamoDB and SQS speak their JSON protocols and
// SNS gets its Query protocol as a form body.
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/service_endpoint.hpp"
#include "net/curl_multi.hpp"

namespace ninja::aws {

struct SignedPost {
  std::string content_type;          // "application/x-amz-json-1.0", "application/x-www-form-urlencoded"
  std::vector<std::string> headers;  // more "Name: value" lines to send and sign (X-Amz-Target)
  std::string body;
  long timeout_ms = 10000;
};

net::HttpTransfer signed_post(const ServiceEndpoint& endpoint, const Credentials& credentials, SignedPost post);

}  // namespace ninja::aws
