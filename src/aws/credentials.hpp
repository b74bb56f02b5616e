#pragma once
// Where the AWS keys and the region come from: the standard chain the AWS CLI and SDKs follow, so
// a machine set up for them works for us. The environment and the files are read through the
// functions given, never through globals, so tests (and the Lambda wiring later) decide them.
//
//   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//   2. the profile AWS_PROFILE (default "default") in AWS_SHARED_CREDENTIALS_FILE or
//      ~/.aws/credentials: aws_access_key_id, aws_secret_access_key, aws_session_token
//
// Errors say what is missing and where we looked; they never contain a secret.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace ninja::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::string source;         // "environment" or "profile NAME in FILE": for the log, no secret
};

// The value of an environment variable, nullopt when unset (an empty value counts as unset).
using Environment = std::function<std::optional<std::string>(const std::string& name)>;
// A whole file, nullopt when it cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

// No usable credentials or region; the message names what is missing.
class ConfigurationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Credentials resolve_credentials(const Environment& environment, const FileReader& read_file);

// The region given in a URL (may be empty) or AWS_REGION, then AWS_DEFAULT_REGION. It must look
// like a region (lower-case letters, digits, '-'): it becomes part of a host name and the signature.
std::string resolve_region(const std::string& from_url, const Environment& environment);

// The process's own environment and files, for the wiring in app/.
Environment process_environment();
FileReader file_system_reader();

}  // namespace ninja::aws
