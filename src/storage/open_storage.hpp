#pragma once
// Opens the backend a store URL names and hands out its ports, so the wiring in app/ never names a
// backend. Each backend lives in its own folder (sqlite/, postgres/, dynamodb/) behind the ports.
#include <chrono>
#include <memory>
#include <string>

#include "domain/api_key_store.hpp"
#include "domain/store.hpp"
#include "events/outbox.hpp"
#include "notify/delivery_store.hpp"
#include "storage/backup.hpp"
#include "storage/retention.hpp"

namespace spdlog {
class logger;
}

namespace ninja::net {
class EventLoops;
}

namespace ninja::util {
class MetricsRegistry;
}

namespace ninja::storage {

struct StorageOptions {
  std::string url;  // sqlite:PATH | postgres://… (any libpq URI) | dynamodb://REGION?endpoint=URL&prefix=P
  // Connections to the store (SQLite: read threads, each with its connection; PostgreSQL: pooled
  // connections); 0 picks the backend's default.
  size_t connections = 0;
  std::chrono::milliseconds request_timeout{10000};  // the longest one call may wait for the store
  std::shared_ptr<spdlog::logger> log;
  // The process's event loops, for a network backend to run its connections on (PostgreSQL): a call
  // made on loop i then goes out and completes on loop i's thread. They must outlive the Storage.
  // Null: the backend runs a thread of its own (admin commands, tests). SQLite ignores it.
  net::EventLoops* loops = nullptr;
  // Where the backend counts what it sees (SQLite: failed commits by cause); must outlive the
  // Storage. Null: not counted (admin commands, tests).
  util::MetricsRegistry* metrics = nullptr;
  // How long done outbox events and their deliveries are kept (serve --retention-days; 0: for
  // ever). A backend that expires items itself stamps them with it (DynamoDB's TTL); the others
  // ignore it and offer Storage::retention, which serve sweeps with the same setting.
  std::chrono::milliseconds retention{0};
  // Whether opening creates or checks the schema. A Lambda function opens the store at every cold
  // start and its tables belong to CloudFormation (IAM grants no Create*), so it assumes them:
  // DynamoDB then makes no call at all before the first request. SQLite, whose file is the
  // process's own, always migrates.
  bool prepare_schema = true;
  // CA certificates for a backend reached over HTTPS (DynamoDB); empty: libcurl's default.
  std::string ca_file{};
};

// Every view of one backend. They share the backend's connections; each keeps them open while
// it lives.
struct Storage {
  std::unique_ptr<domain::Store> store;
  std::unique_ptr<events::Outbox> outbox;
  std::unique_ptr<notify::DeliveryStore> deliveries;
  std::unique_ptr<domain::ApiKeyStore> api_keys;
  std::unique_ptr<Backup> backup;        // null when the backend has no online backup
  std::unique_ptr<Retention> retention;  // null when the backend expires nothing itself
  // The backend deletes expired idempotency records by itself (DynamoDB's TTL), so serve runs no
  // periodic purge: on DynamoDB that purge is a Scan of the whole table every minute in every
  // process (~70,000 read units for a million live keys). Store::purge_idempotency still works.
  bool expires_idempotency_itself = false;
};

// Opens the backend and brings its schema up to date (migrations; see prepare_schema). Throws std::invalid_argument
// for a URL no backend understands, and the backend's error (with a one-line reason that names
// the server, never a password) when it cannot be opened.
Storage open_storage(const StorageOptions& options);

}  // namespace ninja::storage
