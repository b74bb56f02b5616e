#include "domain/api_key.hpp"

#include <algorithm>
#include <stdexcept>

#include "util/base64.hpp"
#include "util/crypto.hpp"
#include "util/hex_digits.hpp"

namespace ninja::domain {
namespace {

constexpr std::string_view kPrefix = "nok_";
constexpr size_t kIdLength = 16;
constexpr size_t kSecretBytes = 32;
constexpr size_t kSecretLength = 43;  // unpadded base64url of 32 bytes
constexpr size_t kMaxNameBytes = 200;
// A plan beyond this is no plan (and keeps the token bucket's arithmetic far from its limits).
constexpr double kMaxRate = 1'000'000;

std::string hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(util::kHexDigits[b >> 4]);
    out.push_back(util::kHexDigits[b & 0xF]);
  }
  return out;
}

}  // namespace

std::vector<FieldError> validate_api_key(std::string_view name, std::optional<double> rate,
                                         std::optional<double> burst) {
  std::vector<FieldError> errors;
  if (name.empty() || name.size() > kMaxNameBytes) errors.push_back({"name", "must have 1 to 200 bytes (UTF-8)"});
  if (rate && !(*rate > 0 && *rate <= kMaxRate)) {
    errors.push_back({"rate", "must be a number of requests per second above 0 (at most 1000000)"});
  }
  if (burst && !(*burst >= 1 && *burst <= kMaxRate)) errors.push_back({"burst", "must be from 1 to 1000000"});
  return errors;
}

IssuedApiKey issue_api_key(std::string name, std::optional<double> rate, std::optional<double> burst, int64_t now_ms,
                           const std::function<std::string(size_t)>& random_bytes) {
  const auto errors = validate_api_key(name, rate, burst);
  if (!errors.empty()) throw std::invalid_argument("the " + errors.front().field + " " + errors.front().message);
  IssuedApiKey issued;
  issued.key.id = hex(random_bytes(kIdLength / 2));
  issued.secret = std::string(kPrefix) + issued.key.id + "_" + util::base64url_encode(random_bytes(kSecretBytes));
  issued.key.name = std::move(name);
  issued.key.hash = util::sha256_hex(issued.secret);
  issued.key.rate = rate;
  issued.key.burst = burst;
  issued.key.created_at_ms = now_ms;
  return issued;
}

std::optional<std::string_view> api_key_id(std::string_view presented) {
  if (presented.size() != kPrefix.size() + kIdLength + 1 + kSecretLength || !presented.starts_with(kPrefix)) {
    return std::nullopt;
  }
  const std::string_view id = presented.substr(kPrefix.size(), kIdLength);
  const bool hex_id =
      std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!hex_id || presented[kPrefix.size() + kIdLength] != '_') return std::nullopt;
  return id;
}

bool api_key_matches(const ApiKey& key, std::string_view presented) {
  return util::constant_time_equal(util::sha256_hex(presented), key.hash);
}

}  // namespace ninja::domain
