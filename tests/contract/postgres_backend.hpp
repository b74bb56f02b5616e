#pragma once
// The PostgreSQL fixture of the storage contract suites: each test gets a schema of its own on the
// server under test (NINJA_TEST_POSTGRES_URL), migrated by postgres_storage() as `serve` would,
// and dropped afterwards; so tests run in parallel on one server. A fresh small pool per test.
#include <memory>
#include <optional>
#include <string>

#include "postgres_test_support.hpp"
#include "storage/open_storage.hpp"
#include "storage/postgres/pg_storage.hpp"

namespace ninja::contract {

struct PostgresBackend {
  static constexpr const char* kName = "Postgres";
  static constexpr bool kNotifiesCommits = true;  // LISTEN/NOTIFY
  static std::optional<std::string> unavailable() { return pg::server_unavailable(); }

  PostgresBackend() : admin_(*pg::server_url()), schema_(pg::random_name("c_")) {
    admin_.exec("CREATE SCHEMA " + schema_);
    open();
  }
  ~PostgresBackend() {
    storage_.reset();
    try {
      admin_.exec("DROP SCHEMA " + schema_ + " CASCADE");
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the server may be gone; nothing to keep
    }
  }
  PostgresBackend(const PostgresBackend&) = delete;
  PostgresBackend& operator=(const PostgresBackend&) = delete;

  storage::Storage& storage() { return *storage_; }
  void reopen() {
    storage_.reset();
    open();
  }
  const std::string& schema() const { return schema_; }
  std::string url() const { return pg::with_search_path(*pg::server_url(), schema_); }

 private:
  void open() {
    storage::StorageOptions options;
    options.url = url();
    options.connections = 2;
    storage_ = std::make_unique<storage::Storage>(storage::postgres::postgres_storage(options));
  }

  pg::Admin admin_;
  std::string schema_;
  std::unique_ptr<storage::Storage> storage_;
};

}  // namespace ninja::contract
