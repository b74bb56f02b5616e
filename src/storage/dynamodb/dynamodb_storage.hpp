#pragma once
// Every port the DynamoDB backend offers (see storage/open_storage.hpp), for
// `--store dynamodb://REGION?endpoint=URL&prefix=P` (dynamodb_url.hpp). Opening creates the tables
// that are missing and waits until they are ACTIVE (table_setup.hpp), as opening PostgreSQL
// migrates its schema: so `ninja-orders migrate` prepares them, and a first `serve` works too.
//
// Not on DynamoDB: online backup and a retention sweep (Storage::backup and ::retention are null).
// DynamoDB's own point-in-time recovery, which opening turns on for every table, is the backup;
// done outbox events and delivery records carry their own expiry, which the tables' TTL acts on
// (expiry.hpp).
#include <chrono>

#include "storage/dynamodb/dynamodb_clients.hpp"
#include "storage/open_storage.hpp"

namespace ninja::storage::dynamodb {

// The backend with the given clients (their endpoint, credentials and loops decided by the
// caller: tests pass moto's and fixed keys), table prefix and retention of done items (0: for
// ever; see expiry_for). Without `prepare_tables` the tables are assumed to exist as the layout
// says (a Lambda function's, which CloudFormation made).
Storage dynamodb_storage(std::unique_ptr<DynamoDbClients> clients, const std::string& prefix,
                         std::chrono::milliseconds retention, spdlog::logger* log, bool prepare_tables = true);

// From the store URL: the region (or AWS_REGION), the endpoint, the prefix; the credentials from
// the standard chain (aws/credentials.hpp). Throws std::invalid_argument for a bad URL,
// aws::ConfigurationError without credentials or region, aws::AwsUnavailable when DynamoDB cannot
// be reached.
Storage dynamodb_storage(const StorageOptions& options);

}  // namespace ninja::storage::dynamodb
