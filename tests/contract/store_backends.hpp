#pragma once
// Backend fixtures for the Store contract suite. Each backend struct gives a test a fresh, EMPTY
// store of its kind and tears it down afterwards. A backend fixture provides:
//
//   static constexpr const char* kName;  // test-name suffix ("Sqlite", later "Postgres", "DynamoDB")
//   storage::Store& store();             // the store under test
//   void reopen();                       // drop every handle and reconnect to the same data
//
// Adding a backend = adding a struct here and appending it to `StoreBackends`. The contract tests
// use nothing but the three members above and the storage::Store interface.
#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

namespace ninja::contract {

// A directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ninja-contract-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// SQLite on a real file (WAL, writer thread, reader pool), exactly as the service runs it.
struct SqliteBackend {
  static constexpr const char* kName = "Sqlite";
  static constexpr size_t kReaders = 4;
  static constexpr size_t kMaxBatch = 256;

  SqliteBackend() : path((dir.path() / "store.db").string()) { open(); }
  ~SqliteBackend() { store_.reset(); }  // close every connection before `dir` is removed

  storage::Store& store() { return *store_; }
  storage::sqlite::SqliteStore& sqlite() { return *store_; }

  void reopen() {
    store_.reset();
    open();
  }

  TempDir dir;
  const std::string path;  // the database file

 private:
  void open() {
    store_ = std::make_unique<storage::sqlite::SqliteStore>(storage::sqlite::SqliteOptions{path, kReaders, kMaxBatch});
  }
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
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
