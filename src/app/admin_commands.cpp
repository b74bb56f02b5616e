#include "app/admin_commands.hpp"

#include <spdlog/logger.h>
#include <boost/json/serialize.hpp>

#include "app/admin_storage.hpp"
#include "domain/representation.hpp"
#include "events/event.hpp"
#include "events/make_bus.hpp"
#include "notify/notifier.hpp"
#include "util/redact.hpp"
#include "util/time.hpp"

namespace ninja::app {

int migrate(const config::Config& config, const util::Loggers& log) {
  open_admin_storage(config, log);
  log.app->info("store {} is up to date", util::redact_credentials(config.store));
  // Opening a bus creates what it needs (a JetStream stream, say).
  events::BusOptions bus_options{config.serve.bus, std::chrono::milliseconds(30000), log.app};
  bus_options.ca_file = config.ca_file;
  const auto bus = events::make_bus(bus_options);
  bus->prepare_consumer(notify::kBusConsumer, {std::string(events::kOrderCreated)});
  if (config.serve.bus != "inproc") log.app->info("bus {} is ready", util::redact_credentials(config.serve.bus));
  return 0;
}

int backup(const config::Config& config, const util::Loggers& log) {
  auto storage = open_admin_storage(config, log);
  if (!storage.backup) {
    throw std::invalid_argument("this store has no online backup here (use the database's own tools, e.g. pg_dump)");
  }
  storage.backup->write_to(config.backup_out);
  log.app->info("backed up the store to {}", config.backup_out);
  return 0;
}

int dlq_list(const config::Config& config, std::ostream& out, const util::Loggers& log) {
  auto storage = open_admin_storage(config, log);
  const auto dead = util::await_result<std::vector<domain::Delivery>>(
      [&](auto done) { storage.deliveries->dead_deliveries(config.dlq.limit, std::move(done)); });
  for (const auto& d : dead) {
    out << boost::json::serialize(domain::dead_letter_to_json(d)) << '\n';
  }
  out.flush();
  return 0;
}

int dlq_replay(const config::Config& config, std::ostream& out, const util::Loggers& log) {
  auto storage = open_admin_storage(config, log);
  const auto event_id = config.dlq.all ? std::nullopt : std::optional<std::string>(config.dlq.event_id);
  const size_t requeued = util::await_result<size_t>(
      [&](auto done) { storage.deliveries->requeue_dead(event_id, util::system_millis(), std::move(done)); });
  out << requeued << (requeued == 1 ? " notification" : " notifications") << " queued for another attempt\n";
  if (event_id && requeued == 0) {
    log.app->error("no dead notification for event {}", *event_id);
    return 1;
  }
  return 0;
}

}  // namespace ninja::app
