#pragma once
// What the PostgreSQL tests share: the server under test (NINJA_TEST_POSTGRES_URL), a schema of
// its own per test so tests run in parallel on one server, a plain blocking connection for setup
// and checks, and connection-string edits (search_path, application_name, password, host:port).
//
// Without a reachable server a test skips with one line saying why, except with CI=true, where
// it fails: CI must never pass by skipping.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "storage/postgres/migrations.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/pg_errors.hpp"
#include "storage/postgres/pg_result.hpp"
#include "support/test_servers.hpp"

namespace ninja::contract::pg {

namespace postgres = storage::postgres;

// Skips the test (locally) or fails it (CI) with `reason`. For SetUp() or a test body.
#define NINJA_PG_UNAVAILABLE(reason) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(reason)

inline std::optional<std::string> server_url() { return testing_support::server_url("NINJA_TEST_POSTGRES_URL"); }

// Why the server under test cannot be used, or nullopt. Asked once per process.
inline std::optional<std::string> server_unavailable() {
  static const std::optional<std::string> reason = []() -> std::optional<std::string> {
    const auto url = server_url();
    if (!url) return "NINJA_TEST_POSTGRES_URL is not set (tests/servers/with-servers sets it)";
    try {
      postgres::connect_blocking(*url, std::chrono::seconds(3), nullptr);
    } catch (const std::exception& e) {
      return std::string("PostgreSQL unreachable: ") + e.what();
    }
    return std::nullopt;
  }();
  return reason;
}

inline bool is_uri(const std::string& conninfo) {
  return conninfo.starts_with("postgres://") || conninfo.starts_with("postgresql://");
}

// `conninfo` with one more parameter; the later value wins in both URI and key=value form.
// `encoded_value` must already be percent-encoded for a URI (it is quoted for key=value).
inline std::string with_param(const std::string& conninfo, const std::string& key, const std::string& value,
                              const std::string& encoded_value) {
  if (is_uri(conninfo)) {
    boost::urls::url url = boost::urls::parse_uri(conninfo).value();
    url.encoded_params().set(key, encoded_value);
    return std::string(url.buffer());
  }
  std::string quoted;
  for (const char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return conninfo + " " + key + "='" + quoted + "'";
}

inline std::string with_search_path(const std::string& conninfo, const std::string& schema) {
  return with_param(conninfo, "options", "-csearch_path=" + schema, "-csearch_path%3D" + schema);
}

inline std::string with_application_name(const std::string& conninfo, const std::string& name) {
  return with_param(conninfo, "application_name", name, name);
}

inline std::string with_password(const std::string& conninfo, const std::string& password) {
  if (!is_uri(conninfo)) return with_param(conninfo, "password", password, password);
  boost::urls::url url = boost::urls::parse_uri(conninfo).value();
  url.set_password(password);
  return std::string(url.buffer());
}

inline std::string with_host_port(const std::string& conninfo, const std::string& host, int port) {
  if (!is_uri(conninfo)) return conninfo + " host=" + host + " hostaddr=" + host + " port=" + std::to_string(port);
  boost::urls::url url = boost::urls::parse_uri(conninfo).value();
  url.set_host_address(host);
  url.set_port_number(static_cast<uint16_t>(port));
  url.encoded_params().erase("host");
  url.encoded_params().erase("hostaddr");
  url.encoded_params().erase("port");
  return std::string(url.buffer());
}

// A parameter of the connection string as libpq reads it ("" when absent).
inline std::string conninfo_value(const std::string& conninfo, const std::string& keyword) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  PQfreemem(error);
  std::string value;
  for (auto* option = options; option != nullptr && option->keyword != nullptr; ++option) {
    if (keyword == option->keyword && option->val != nullptr) value = option->val;
  }
  PQconninfoFree(options);
  return value;
}

inline std::string random_name(const std::string& prefix) {
  static thread_local std::mt19937_64 random(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = prefix;
  for (int i = 0; i < 12; ++i) name += kHex[random() % 16];
  return name;
}

// A plain blocking connection for setting up and checking; throws on any error.
class Admin {
 public:
  explicit Admin(const std::string& conninfo, std::chrono::seconds timeout = std::chrono::seconds(5))
      : conn_(postgres::connect_blocking(conninfo, timeout, nullptr)) {}
  postgres::PgResult exec(const std::string& sql) {
    postgres::PgResult result(PQexec(conn_.get(), sql.c_str()));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::rethrow_exception(postgres::error_from_result(result.get(), conn_.get()));
    }
    return result;
  }
  int64_t scalar(const std::string& sql) { return exec(sql).int64(0, 0); }
  pg_conn* get() const { return conn_.get(); }

 private:
  postgres::PgConn conn_;
};

// Polls `condition` until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The base of every PostgreSQL test: a fresh schema on the server under test, dropped afterwards.
// conninfo() reaches it with search_path set to it and an application_name of its own (so a test
// can find, and terminate, exactly its own backends in pg_stat_activity).
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = server_unavailable()) NINJA_PG_UNAVAILABLE(*reason);
    base_url_ = *server_url();
    admin_.emplace(base_url_);
    schema_ = random_name("t_");
    app_ = random_name("ninja-test-");
    admin_->exec("CREATE SCHEMA " + schema_);
  }
  void TearDown() override {
    if (admin_ && !schema_.empty()) {
      try {
        admin_->exec("DROP SCHEMA " + schema_ + " CASCADE");
      } catch (const std::exception& e) {
        ADD_FAILURE() << "dropping the test schema: " << e.what();
      }
    }
  }

  std::string conninfo() const { return with_application_name(with_search_path(base_url_, schema_), app_); }
  Admin& admin() { return *admin_; }
  // Backends of this test's connections (those carrying its application_name).
  int64_t backends() {
    return admin_->scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app_ + "'");
  }
  // Ends this test's backends the way a server shutdown does (FATAL 57P01, then EOF).
  int64_t terminate_backends() {
    return admin_->scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '" +
                          app_ + "'");
  }

  std::string base_url_;
  std::string schema_;
  std::string app_;
  std::optional<Admin> admin_;
};

}  // namespace ninja::contract::pg
