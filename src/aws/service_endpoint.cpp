#include "aws/service_endpoint.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <stdexcept>

namespace ninja::aws {

ServiceEndpoint service_endpoint(const std::string& service, const std::string& region,
                                 const std::optional<std::string>& override_url) {
  if (!override_url) {
    const std::string host = service + "." + region + ".amazonaws.com";
    return {service, region, "https://" + host + "/", host};
  }
  auto parsed = boost::urls::parse_absolute_uri(*override_url);
  const auto refuse = [&](const std::string& why) {
    return std::invalid_argument("the " + service + " endpoint " + *override_url + " " + why);
  };
  if (!parsed) throw refuse("is not a URL");
  boost::urls::url url(*parsed);
  if (url.scheme() != "http" && url.scheme() != "https") throw refuse("must be http:// or https://");
  if (url.host().empty()) throw refuse("has no host");
  if (url.has_userinfo()) throw refuse("may not carry a user or password");
  if (url.has_query() || url.has_fragment()) throw refuse("may not have a query or a fragment");
  // No query and no fragment: a missing path can simply be appended.
  std::string text(url.buffer());
  if (url.path().empty()) text += '/';
  return {service, region, text, std::string(url.encoded_host_and_port())};
}

}  // namespace ninja::aws
