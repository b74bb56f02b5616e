#include "storage/dynamodb/dynamodb_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <regex>
#include <stdexcept>

#include "storage/dynamodb/table_layout.hpp"
#include "util/redact.hpp"

namespace ninja::storage::dynamodb {

namespace {

constexpr std::string_view kScheme = "dynamodb://";
constexpr size_t kMaxTableName = 255;

// The URL for messages, with any user and password (also an endpoint's, inside the query) as ***.
std::string shown(const std::string& url) {
  static const std::regex kUserInfo("//[^/?#@&]*@");
  return std::regex_replace(util::redact_credentials(url), kUserInfo, "//***@");
}

bool table_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

void check_prefix(const std::string& prefix, const std::string& url) {
  for (const char c : prefix) {
    if (!table_name_char(c)) {
      throw std::invalid_argument("store " + url + ": the prefix may only hold letters, digits, '_', '.' and '-'");
    }
  }
  const TableLayout layout(prefix);
  size_t longest = 0;
  for (const auto* name :
       {&layout.users, &layout.orders, &layout.idempotency, &layout.outbox, &layout.deliveries, &layout.api_keys}) {
    longest = std::max(longest, name->size());
  }
  if (longest > kMaxTableName) throw std::invalid_argument("store " + url + ": the prefix is too long");
}

}  // namespace

bool is_dynamodb_url(const std::string& url) { return url.rfind(kScheme, 0) == 0; }

DynamoDbUrl parse_dynamodb_url(const std::string& given) {
  const std::string url = shown(given);
  if (!is_dynamodb_url(given)) throw std::invalid_argument("store " + url + " is not a dynamodb:// URL");
  const auto parsed = boost::urls::parse_uri(given);
  if (!parsed) throw std::invalid_argument("store " + url + " is not a URL: " + parsed.error().message());
  const boost::urls::url_view& view = *parsed;
  if (view.has_userinfo()) {
    throw std::invalid_argument("store " + url + ": keys come from the environment or ~/.aws, never the URL");
  }
  if (view.has_port() || (!view.path().empty() && view.path() != "/") || view.has_fragment()) {
    throw std::invalid_argument("store " + url + ": expected dynamodb://REGION?endpoint=URL&prefix=P");
  }
  DynamoDbUrl out;
  out.region = view.host();
  for (const auto param : view.params()) {
    if (param.key == "endpoint") {
      out.endpoint = param.value;
    } else if (param.key == "prefix") {
      out.prefix = param.value;
    } else {
      throw std::invalid_argument("store " + url + ": unknown parameter '" + param.key +
                                  "' (dynamodb:// takes endpoint and prefix)");
    }
  }
  if (out.endpoint && out.endpoint->empty()) throw std::invalid_argument("store " + url + ": endpoint is empty");
  if (out.endpoint) {
    // aws::service_endpoint checks the rest; a user or password must not reach its message.
    const auto endpoint = boost::urls::parse_uri(*out.endpoint);
    if (endpoint && endpoint->has_userinfo()) {
      throw std::invalid_argument("store " + url + ": the endpoint may not carry a user or password");
    }
  }
  check_prefix(out.prefix, url);
  return out;
}

}  // namespace ninja::storage::dynamodb
