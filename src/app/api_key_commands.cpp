#include "app/api_key_commands.hpp"

#include <spdlog/logger.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "app/admin_storage.hpp"
#include "domain/api_key.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace ninja::app {
namespace {

// Whole numbers print as integers ("2", not Boost.JSON's "2E0").
boost::json::value number(std::optional<double> x) {
  if (!x) return nullptr;
  const auto whole = static_cast<int64_t>(*x);
  return static_cast<double>(whole) == *x ? boost::json::value(whole) : boost::json::value(*x);
}

boost::json::object describe(const domain::ApiKey& key) {
  boost::json::object o;
  o["id"] = key.id;
  o["name"] = key.name;
  o["rate"] = number(key.rate);
  o["burst"] = number(key.burst);
  o["created_at"] = util::format_rfc3339_millis(key.created_at_ms);
  o["revoked_at"] = key.revoked_at_ms ? boost::json::value(util::format_rfc3339_millis(*key.revoked_at_ms)) : nullptr;
  return o;
}

}  // namespace

int apikey_create(const config::Config& config, std::ostream& out, const util::Loggers& log) {
  const auto& k = config.apikey;
  auto issued = domain::issue_api_key(k.name, k.rate, k.burst, util::system_millis(), util::random_bytes);
  auto storage = open_admin_storage(config, log);
  util::await_done([&](auto done) { storage.api_keys->add_api_key(issued.key, std::move(done)); });
  auto shown = describe(issued.key);
  shown["key"] = issued.secret;
  out << boost::json::serialize(shown) << '\n';
  out.flush();
  return 0;
}

int apikey_list(const config::Config& config, std::ostream& out, const util::Loggers& log) {
  auto storage = open_admin_storage(config, log);
  const auto keys = util::await_result<std::vector<domain::ApiKey>>(
      [&](auto done) { storage.api_keys->list_api_keys(std::move(done)); });
  for (const auto& key : keys) out << boost::json::serialize(describe(key)) << '\n';
  out.flush();
  return 0;
}

int apikey_revoke(const config::Config& config, std::ostream& out, const util::Loggers& log) {
  auto storage = open_admin_storage(config, log);
  const bool revoked = util::await_result<bool>(
      [&](auto done) { storage.api_keys->revoke_api_key(config.apikey.id, util::system_millis(), std::move(done)); });
  if (!revoked) {
    log.app->error("no API key with id {}", config.apikey.id);
    return 1;
  }
  out << "revoked " << config.apikey.id << '\n';
  return 0;
}

}  // namespace ninja::app
