#pragma once
// Backend fixtures for the storage contract suites. Each backend struct gives a test a fresh, EMPTY
// store of its kind (its own file, database schema or table prefix, so tests may run in parallel)
// and tears it down afterwards. A backend fixture provides:
//
//   static constexpr const char* kName;      // test-name suffix ("Sqlite", "Postgres", later "DynamoDB")
//   static std::optional<std::string> unavailable();  // why its server cannot be used, or nullopt
//   static constexpr bool kNotifiesCommits;  // whether its outbox offers commit notices
//   Backend();                               // opens a fresh store (may throw domain::Unavailable)
//   storage::Storage& storage();             // the ports under test
//   void reopen();                           // drop every handle and reconnect to the same data
//
// Adding a backend = adding a struct (in its own header) and appending it to `StoreBackends` (and
// to `RetentionBackends` if it expires old rows itself), in store_backend_list.hpp.
// The contract tests use nothing but the members above and the ports.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "domain/errors.hpp"
#include "storage/sqlite/sqlite_storage.hpp"
#include "support/temp_dir.hpp"

namespace ninja::contract {

using testing_support::TempDir;

// SQLite on a real file (WAL, writer thread, read pool), exactly as the service runs it.
struct SqliteBackend {
  static constexpr const char* kName = "Sqlite";
  static constexpr bool kNotifiesCommits = true;
  static std::optional<std::string> unavailable() { return std::nullopt; }  // a file is always there

  SqliteBackend() : path((dir.path() / "store.db").string()) { open(); }
  ~SqliteBackend() { close(); }  // close every connection before `dir` is removed

  storage::Storage& storage() { return *storage_; }
  storage::sqlite::SqliteFile& file() { return *file_; }  // for the SQLite-specific tests
  void reopen() {
    close();
    open();
  }

  TempDir dir;
  const std::string path;  // the database file

 private:
  void open() {
    file_ = std::make_shared<storage::sqlite::SqliteFile>(storage::sqlite::SqliteOptions{path, 4, 256});
    storage_ = std::make_unique<storage::Storage>(storage::sqlite::sqlite_storage(file_));
  }
  void close() {
    storage_.reset();
    file_.reset();
  }
  std::shared_ptr<storage::sqlite::SqliteFile> file_;
  std::unique_ptr<storage::Storage> storage_;
};

// Names typed-test instantiations after the backend ("StoreUsers/Sqlite.RoundTrip") instead of "0".
struct BackendName {
  template <class Backend>
  static std::string GetName(int /*index*/) {
    return Backend::kName;
  }
};

}  // namespace ninja::contract
