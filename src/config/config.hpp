#pragma once
// The command line and NINJA_ORDERS_* environment: the only code that reads either.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ninja::config {

enum class Command { serve, lambda, migrate, backup, dlq_list, dlq_replay, apikey_create, apikey_list, apikey_revoke };

// How notifications leave the process (API.md §3).
struct NotifyConfig {
  std::string log = "-";  // the log channel's file; "-" is stdout
  std::string smtp_url;   // empty: email users are notified through the log channel
  std::string smtp_from = "ninja-orders@localhost";
  std::string sms_url;  // empty: sms users are notified through the log channel
  std::string sms_from = "NinjaOrders";
  bool webhook_allow_private = false;
  int64_t retry_base_ms = 1000;
  int64_t retry_max_ms = 600000;
  int64_t max_attempts = 10;
  size_t concurrency = 64;     // delivery attempts in flight at once
  int64_t timeout_ms = 10000;  // one attempt, connect to last byte
  std::string ca_file;         // Config::ca_file: webhooks and SMTP over TLS check their peers against it
};

// Token buckets (0 = off).
struct RateLimitConfig {
  double rate = 0;
  double burst = 0;
  double per_client_rate = 0;
  double per_client_burst = 0;
};

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string host = "127.0.0.1";  // parsed from `listen`
  uint16_t port = 8080;
  std::string bus = "inproc";
  std::vector<std::string> roles = {"api", "relay", "notifier"};
  size_t threads = 0;            // 0: number of cores
  size_t store_connections = 0;  // 0: the store backend's default
  std::string auth;              // resolved: "none" or "api-key"
  bool insecure = false;
  std::string admin_key_file;            // --admin-key-file; empty: no admin key
  std::optional<std::string> admin_key;  // its key, read at parse time (never logged)
  size_t max_body = 1048576;
  size_t max_header_bytes = 16384;
  size_t max_connections = 10000;
  size_t max_connections_per_client = 1000;  // 0: no cap (behind a proxy, all come from one address)
  int64_t idempotency_ttl_seconds = 86400;
  // Published outbox events whose deliveries are final, and those deliveries, are deleted once older
  // than this; 0 keeps them forever. Fractions are allowed (tests use seconds' worth).
  double retention_days = 7;
  int64_t shutdown_grace_seconds = 10;
  int64_t request_timeout_ms = 10000;
  int64_t idle_timeout_ms = 60000;
  NotifyConfig notify;
  RateLimitConfig rate_limit;

  bool has_role(std::string_view role) const {
    for (const auto& r : roles) {
      if (r == role) return true;
    }
    return false;
  }
};

// `lambda`: this process is a Lambda function's runtime (the serve options that apply are in
// ServeConfig: store, bus, limits, notifications; there is no listener).
struct LambdaConfig {
  std::string handler;      // api (relay and notifier follow); --handler, else $_HANDLER
  std::string runtime_api;  // $AWS_LAMBDA_RUNTIME_API: host:port
};

struct DlqConfig {
  bool all = false;
  std::string event_id;
  size_t limit = 100;
};

struct ApiKeyConfig {
  std::string name;
  std::optional<double> rate;
  std::optional<double> burst;
  std::string id;  // revoke
};

struct Config {
  Command command = Command::serve;
  std::string store = "sqlite:ninja-orders.db";
  std::string log_level = "info";
  // CA certificates for every HTTPS and TLS peer (AWS, webhooks, SMTP); empty: libcurl's default
  // (Debian: /etc/ssl/certs). In Lambda: the bundle the package carries.
  std::string ca_file;
  bool access_log = true;
  ServeConfig serve;
  LambdaConfig lambda;
  std::string backup_out;
  DlqConfig dlq;
  ApiKeyConfig apikey;
};

// Either a configuration to run, or an exit code (after --help, --version or a usage error,
// which have been printed already).
struct ParseResult {
  std::optional<Config> config;
  int exit_code = 0;
};

ParseResult parse(int argc, const char* const* argv);

// Splits "HOST:PORT" / "[V6]:PORT"; throws std::invalid_argument.
std::pair<std::string, uint16_t> split_listen_address(const std::string& listen);
bool is_loopback_host(const std::string& host);

}  // namespace ninja::config
