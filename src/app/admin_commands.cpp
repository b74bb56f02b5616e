#include "app/admin_commands.hpp"

#include <spdlog/logger.h>
#include <boost/json/serialize.hpp>

#include "domain/representation.hpp"
#include "storage/make_store.hpp"
#include "storage/sqlite/backup.hpp"
#include "util/time.hpp"

namespace ninja::app {

int migrate(const config::Config& config, const util::Loggers& log) {
  storage::open_storage({config.store, 1});
  log.app->info("store {} is up to date", config.store);
  return 0;
}

int backup(const config::Config& config, const util::Loggers& log) {
  const auto path = storage::sqlite_path(config.store);
  if (!path) throw std::invalid_argument("backup works on sqlite: stores only");
  storage::sqlite::backup(*path, config.backup_out);
  log.app->info("backed up {} to {}", *path, config.backup_out);
  return 0;
}

int dlq_list(const config::Config& config, std::ostream& out) {
  auto storage = storage::open_storage({config.store, 1});
  for (const auto& d : storage.deliveries->dead_deliveries(config.dlq.limit)) {
    auto line = domain::to_json(d);
    line["order_id"] = d.order_id;
    line["user_id"] = d.user_id;
    out << boost::json::serialize(line) << '\n';
  }
  out.flush();
  return 0;
}

int dlq_replay(const config::Config& config, std::ostream& out, const util::Loggers& log) {
  auto storage = storage::open_storage({config.store, 1});
  const auto event_id = config.dlq.all ? std::nullopt : std::optional<std::string_view>(config.dlq.event_id);
  const size_t requeued = storage.deliveries->requeue_dead(event_id, util::system_millis());
  out << requeued << (requeued == 1 ? " notification" : " notifications") << " queued for another attempt\n";
  if (event_id && requeued == 0) {
    log.app->error("no dead notification for event {}", *event_id);
    return 1;
  }
  return 0;
}

}  // namespace ninja::app
