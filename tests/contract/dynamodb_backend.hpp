#pragma once
// The DynamoDB fixture of the storage contract suites: each test gets tables of its own on the
// moto_server under test (NINJA_TEST_MOTO_URL, started by tests/servers/with-servers), under a
// random prefix, created by dynamodb_storage() as `migrate` would, and deleted afterwards; so
// tests may run in parallel on one server. moto checks no signatures: any keys do.
#include <memory>
#include <optional>
#include <string>

#include "storage/dynamodb/dynamodb_storage.hpp"
#include "storage/dynamodb/table_layout.hpp"
#include "storage/open_storage.hpp"
#include "support/test_names.hpp"
#include "support/test_servers.hpp"

namespace ninja::contract {

namespace ddb {

inline std::optional<std::string> moto_url() { return testing_support::server_url("NINJA_TEST_MOTO_URL"); }

inline std::string random_prefix() { return "c" + testing_support::random_token() + "_"; }

inline std::unique_ptr<storage::dynamodb::DynamoDbClients> moto_clients() {
  storage::dynamodb::ClientsOptions options;
  options.endpoint = aws::service_endpoint("dynamodb", "us-east-1", *moto_url());
  options.credentials = {"AKIDMOTOTEST", "moto-test-secret", "", "test"};
  options.retry = {3, std::chrono::milliseconds(10), std::chrono::milliseconds(100)};
  // moto runs each request on a thread of its own, and its TransactWriteItems deep-copies the
  // tables it touches, unlocked, to restore them if the transaction is cancelled: a concurrent write
  // fails that copy (HTTP 500, "dictionary changed size during iteration", seen in its log) or is
  // undone by the restore. AWS has no such fault (it answers TransactionConflict, which the store
  // retries). So this process sends moto one request at a time; the calls themselves stay
  // asynchronous, hundreds in flight, queued in curl.
  options.http.max_host_connections = 1;
  options.timeout = std::chrono::milliseconds(60000);  // the queue's wait counts too
  return std::make_unique<storage::dynamodb::DynamoDbClients>(std::move(options));
}

// Deletes the tables of `prefix` (best effort: moto keeps every table in memory until it stops).
inline void delete_tables(const std::string& prefix) {
  try {
    auto clients = moto_clients();
    const storage::dynamodb::TableLayout layout(prefix);
    for (const auto* table :
         {&layout.users, &layout.orders, &layout.idempotency, &layout.outbox, &layout.deliveries, &layout.api_keys}) {
      try {
        clients->call_blocking("DeleteTable", {{"TableName", *table}});
      } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): not created, or moto is gone
      }
    }
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): nothing to clean up then
  }
}

}  // namespace ddb

struct DynamoDbBackend {
  static constexpr const char* kName = "DynamoDB";
  static constexpr bool kNotifiesCommits = true;  // this process's commits; relays poll for others
  static constexpr int kCreatesPerThread = 10;    // moto copies a table per transaction (see StoreConcurrency)
  static std::optional<std::string> unavailable() {
    if (!ddb::moto_url()) return "NINJA_TEST_MOTO_URL is not set (run under tests/servers/with-servers)";
    return std::nullopt;
  }

  DynamoDbBackend() : prefix_(ddb::random_prefix()) { open(); }
  ~DynamoDbBackend() {
    storage_.reset();
    ddb::delete_tables(prefix_);
  }
  DynamoDbBackend(const DynamoDbBackend&) = delete;
  DynamoDbBackend& operator=(const DynamoDbBackend&) = delete;

  storage::Storage& storage() { return *storage_; }
  void reopen() {
    storage_.reset();
    open();
  }
  const std::string& prefix() const { return prefix_; }

 private:
  void open() {
    // A retention as `serve` has by default (--retention-days 7): the suites run on stamped items.
    storage_ = std::make_unique<storage::Storage>(
        storage::dynamodb::dynamodb_storage(ddb::moto_clients(), prefix_, std::chrono::hours(24 * 7), nullptr));
  }

  std::string prefix_;
  std::unique_ptr<storage::Storage> storage_;
};

}  // namespace ninja::contract
