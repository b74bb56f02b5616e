#pragma once
// API keys: `nok_<id>_<secret>`. The id (16 hex digits) is public — it names the key in lists,
// logs and metrics; the whole key is shown once, at creation, and only its SHA-256 is stored.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/errors.hpp"

namespace ninja::domain {

struct ApiKey {
  std::string id;
  std::string name;
  std::string hash;             // lower-case hex SHA-256 of the whole key
  std::optional<double> rate;   // usage plan: requests per second; nullopt: the server's default
  std::optional<double> burst;  // nullopt: the rate (at least 1)
  int64_t created_at_ms = 0;
  std::optional<int64_t> revoked_at_ms;
};

struct IssuedApiKey {
  ApiKey key;
  std::string secret;  // the full key, for the one time it is printed
};

// The rules of a new key, one error per bad field: a name of 1 to 200 bytes, a rate above 0, a
// burst of at least 1 (the CLI and the admin API both ask).
std::vector<FieldError> validate_api_key(std::string_view name, std::optional<double> rate,
                                         std::optional<double> burst);

// `random_bytes(n)` supplies entropy (the CSPRNG in production). Throws std::invalid_argument
// with the first of validate_api_key's errors.
IssuedApiKey issue_api_key(std::string name, std::optional<double> rate, std::optional<double> burst, int64_t now_ms,
                           const std::function<std::string(size_t)>& random_bytes);

// The id part of a presented key, or nullopt if it is not shaped like one of ours.
std::optional<std::string_view> api_key_id(std::string_view presented);
// Whether `presented` is the key behind `key` (hash compared in constant time).
bool api_key_matches(const ApiKey& key, std::string_view presented);

}  // namespace ninja::domain
