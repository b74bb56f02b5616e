#pragma once
// Backend fixtures for the Store contract suite. Each backend struct gives a test a fresh, EMPTY
// store of its kind and tears it down afterwards. A backend fixture provides:
//
//   static constexpr const char* kName;  // test-name suffix ("Sqlite", later "Postgres", "DynamoDB")
//   storage::Store& store();             // the store under test
//   storage::Outbox& outbox_view();       // the same backend's outbox (relay side)
//   storage::DeliveryStore& deliveries(); // the same backend's notification deliveries
//   storage::ApiKeyStore& api_keys();     // the same backend's API keys
//   void reopen();                       // drop every handle and reconnect to the same data
//
// Adding a backend = adding a struct here and appending it to `StoreBackends`. The contract tests
// use nothing but the members above and the storage interfaces.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/sqlite/sqlite_api_keys.hpp"
#include "storage/sqlite/sqlite_deliveries.hpp"
#include "storage/sqlite/sqlite_outbox.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
#include "support/temp_dir.hpp"

namespace ninja::contract {

using testing_support::TempDir;

// SQLite on a real file (WAL, writer thread, reader pool), exactly as the service runs it.
struct SqliteBackend {
  static constexpr const char* kName = "Sqlite";
  static constexpr size_t kReaders = 4;
  static constexpr size_t kMaxBatch = 256;

  SqliteBackend() : path((dir.path() / "store.db").string()) { open(); }
  ~SqliteBackend() { close(); }  // close every connection before `dir` is removed

  storage::Store& store() { return *store_; }
  storage::Outbox& outbox_view() { return *outbox_; }
  storage::DeliveryStore& deliveries() { return *deliveries_; }
  storage::ApiKeyStore& api_keys() { return *api_keys_; }
  storage::sqlite::SqliteStore& sqlite() { return *store_; }

  void reopen() {
    close();
    open();
  }

  TempDir dir;
  const std::string path;  // the database file

 private:
  void open() {
    auto file =
        std::make_shared<storage::sqlite::SqliteFile>(storage::sqlite::SqliteOptions{path, kReaders, kMaxBatch});
    store_ = std::make_unique<storage::sqlite::SqliteStore>(file);
    outbox_ = std::make_unique<storage::sqlite::SqliteOutbox>(file);
    deliveries_ = std::make_unique<storage::sqlite::SqliteDeliveries>(file);
    api_keys_ = std::make_unique<storage::sqlite::SqliteApiKeys>(file);
  }
  void close() {
    api_keys_.reset();
    deliveries_.reset();
    outbox_.reset();
    store_.reset();
  }
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  std::unique_ptr<storage::sqlite::SqliteOutbox> outbox_;
  std::unique_ptr<storage::sqlite::SqliteDeliveries> deliveries_;
  std::unique_ptr<storage::sqlite::SqliteApiKeys> api_keys_;
};

// Every backend the contract suite runs against.
using StoreBackends = ::testing::Types<SqliteBackend>;

// Names typed-test instantiations after the backend ("StoreUsers/Sqlite.RoundTrip") instead of "0".
struct BackendName {
  template <class Backend>
  static std::string GetName(int /*index*/) {
    return Backend::kName;
  }
};

}  // namespace ninja::contract
