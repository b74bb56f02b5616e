#pragma once
// The store URL of the DynamoDB backend, `dynamodb://REGION?endpoint=URL&prefix=P`:
//   REGION    the AWS region (may be empty: AWS_REGION, then AWS_DEFAULT_REGION decide);
//   endpoint  where to send the calls instead of the region's public endpoint (moto, DynamoDB
//             Local, a VPC endpoint);
//   prefix    put before every table name, so several deployments (or tests) share an account.
// Anything else in the URL is refused: a misspelt parameter must not silently mean the default.
#include <optional>
#include <string>

namespace ninja::storage::dynamodb {

struct DynamoDbUrl {
  std::string region;  // as written; empty when the URL names none
  std::optional<std::string> endpoint;
  std::string prefix;
};

bool is_dynamodb_url(const std::string& url);

// Throws std::invalid_argument naming what is wrong: not a dynamodb:// URL, an unknown parameter,
// a path, or a prefix DynamoDB would not take in a table name ([A-Za-z0-9_.-], and short enough
// for the longest table name to stay within 255 characters).
DynamoDbUrl parse_dynamodb_url(const std::string& url);

}  // namespace ninja::storage::dynamodb
