#include "app/api_key_commands.hpp"

#include <spdlog/logger.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "app/admin_storage.hpp"
#include "domain/api_key.hpp"
#include "domain/representation.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace ninja::app {

int apikey_create(const config::Config& config, std::ostream& out, const util::Loggers& log) {
  const auto& k = config.apikey;
  auto issued = domain::issue_api_key(k.name, k.rate, k.burst, util::system_millis(), util::random_bytes);
  auto storage = open_admin_storage(config, log);
  util::await_done([&](auto done) { storage.api_keys->add_api_key(issued.key, std::move(done)); });
  auto shown = domain::to_json(issued.key);
  shown["key"] = issued.secret;
  out << boost::json::serialize(shown) << '\n';
  out.flush();
  return 0;
}

int apikey_list(const config::Config& config, std::ostream& out, const util::Loggers& log) {
  auto storage = open_admin_storage(config, log);
  const auto keys = util::await_result<std::vector<domain::ApiKey>>(
      [&](auto done) { storage.api_keys->list_api_keys(std::move(done)); });
  for (const auto& key : keys) out << boost::json::serialize(domain::to_json(key)) << '\n';
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
