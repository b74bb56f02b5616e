#include "storage/dynamodb/dynamodb_storage.hpp"

#include <spdlog/logger.h>

#include "aws/credentials.hpp"
#include "storage/dynamodb/dynamodb_api_keys.hpp"
#include "storage/dynamodb/dynamodb_deliveries.hpp"
#include "storage/dynamodb/dynamodb_outbox.hpp"
#include "storage/dynamodb/dynamodb_store.hpp"
#include "storage/dynamodb/dynamodb_url.hpp"
#include "storage/dynamodb/table_setup.hpp"

namespace ninja::storage::dynamodb {

Storage dynamodb_storage(std::unique_ptr<DynamoDbClients> clients, const std::string& prefix,
                         std::chrono::milliseconds retention, spdlog::logger* log, bool prepare_tables) {
  TableLayout layout(prefix);
  if (prepare_tables) ensure_tables(*clients, layout, log);
  const Expiry expiry = expiry_for(retention);
  if (log && expiry.events.count() > 0) {
    using Days = std::chrono::duration<double, std::ratio<86400>>;
    log->info(
        "dynamodb: published events expire {} days after publishing, final deliveries {} days after their "
        "outcome (table TTL)",
        Days(expiry.events).count(), Days(expiry.deliveries).count());
  }
  auto shared = std::make_shared<DynamoDbShared>(std::move(layout), expiry, std::move(clients));
  Storage storage;
  storage.store = std::make_unique<DynamoDbStore>(shared);
  storage.outbox = std::make_unique<DynamoDbOutbox>(shared);
  storage.deliveries = std::make_unique<DynamoDbDeliveries>(shared);
  storage.api_keys = std::make_unique<DynamoDbApiKeys>(shared);
  storage.expires_idempotency_itself = true;  // the table's TTL on expires_at; reads ignore expired records
  return storage;                             // no backup or retention sweep (see the header)
}

Storage dynamodb_storage(const StorageOptions& options) {
  const auto url = parse_dynamodb_url(options.url);
  const auto environment = aws::process_environment();
  ClientsOptions clients;
  clients.endpoint = aws::service_endpoint("dynamodb", aws::resolve_region(url.region, environment), url.endpoint);
  clients.credentials = aws::resolve_credentials(environment, aws::file_system_reader());
  clients.timeout = options.request_timeout;
  clients.log = options.log;
  clients.loops = options.loops;
  clients.http.ca_file = options.ca_file;
  if (options.log) {
    options.log->info("dynamodb: {} in {} at {}, tables {}*, keys from {}", clients.endpoint.service,
                      clients.endpoint.region, clients.endpoint.host, url.prefix, clients.credentials.source);
  }
  return dynamodb_storage(std::make_unique<DynamoDbClients>(std::move(clients)), url.prefix, options.retention,
                          options.log.get(), options.prepare_schema);
}

}  // namespace ninja::storage::dynamodb
