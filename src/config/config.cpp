#include "config/config.hpp"

#include <CLI/CLI.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "config/admin_key_file.hpp"

namespace ninja::config {
namespace {

constexpr const char* kEnvPrefix = "NINJA_ORDERS_";

std::string env_name(const std::string& flag) {
  std::string name = kEnvPrefix;
  for (char c : flag) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return name;
}

// Adds `--flag` bound to `target`, reading NINJA_ORDERS_FLAG too (the flag wins).
template <class T>
CLI::Option* option(CLI::App& app, const std::string& flag, T& target, const std::string& help) {
  return app.add_option("--" + flag, target, help)->envname(env_name(flag))->capture_default_str();
}

void add_store_options(CLI::App& app, Config& config) {
  option(app, "store", config.store,
         "sqlite:PATH or postgres://… (any libpq URI; the password through the URL, PGPASSWORD or ~/.pgpass)");
  option(app, "log-level", config.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  option(app, "ca-file", config.ca_file,
         "CA certificates (PEM) for HTTPS and TLS peers: AWS, webhooks, SMTP [libcurl's default; in Lambda the "
         "package's share/ca-certificates.crt]")
      ->check(CLI::ExistingFile);
}

void add_rate_limit_options(CLI::App& serve, RateLimitConfig& r);
void add_notify_options(CLI::App& serve, NotifyConfig& n);

void add_serve_options(CLI::App& serve, Config& config) {
  auto& s = config.serve;
  add_store_options(serve, config);
  option(serve, "listen", s.listen, "HTTP listen address HOST:PORT; port 0 picks a free port");
  option(serve, "bus", s.bus, "event bus: inproc, nats://HOST:PORT[?prefix=P] or sns://REGION[?endpoint=URL&prefix=P]");
  option(serve, "roles", s.roles, "roles of this process: api, relay, notifier")->delimiter(',');
  option(serve, "threads", s.threads, "HTTP I/O threads (0: number of cores)");
  option(serve, "store-connections", s.store_connections,
         "connections to the store: SQLite read threads, PostgreSQL pooled connections (0: the backend's default)")
      ->check(CLI::Range(0, 1024));
  option(serve, "auth", s.auth, "none or api-key [none on a loopback address, else api-key]")
      ->check(CLI::IsMember({"none", "api-key"}));
  serve.add_flag("--insecure", s.insecure, "allow --auth none on a non-loopback address")
      ->envname(env_name("insecure"));
  option(serve, "admin-key-file", s.admin_key_file,
         "file holding the admin key (one line, at least 32 characters, e.g. from `openssl rand -hex 32`): "
         "/admin/v1 then needs it in x-api-key, and /v1 accepts it [none: /admin/v1 is open only with --auth none "
         "on a loopback address]");
  option(serve, "max-body", s.max_body, "largest accepted request body in bytes (more: 413)");
  option(serve, "max-header-bytes", s.max_header_bytes, "largest request line + headers in bytes (more: 431)");
  option(serve, "max-connections", s.max_connections, "concurrent connections (more get 503)");
  option(serve, "max-connections-per-client", s.max_connections_per_client,
         "concurrent connections from one client address (more get 503; 0: no cap — behind a load balancer "
         "every connection comes from its address)");
  option(serve, "idempotency-ttl", s.idempotency_ttl_seconds, "seconds an Idempotency-Key is remembered")
      ->check(CLI::PositiveNumber);
  option(serve, "retention-days", s.retention_days,
         "days published outbox events with final deliveries (and those deliveries) are kept; 0: forever; "
         "fractions allowed (0.0001 = 8.64 s, for tests)")
      ->check(CLI::NonNegativeNumber);
  option(serve, "shutdown-grace", s.shutdown_grace_seconds, "seconds to drain on SIGTERM/SIGINT")
      ->check(CLI::NonNegativeNumber);
  option(serve, "request-timeout", s.request_timeout_ms, "milliseconds to read a request or write a response")
      ->check(CLI::PositiveNumber);
  option(serve, "idle-timeout", s.idle_timeout_ms, "milliseconds an idle keep-alive connection stays open")
      ->check(CLI::PositiveNumber);
  option(serve, "access-log", config.access_log, "one JSON line per request on stderr (true/false)");
  add_rate_limit_options(serve, s.rate_limit);
  add_notify_options(serve, s.notify);
}

void add_rate_limit_options(CLI::App& serve, RateLimitConfig& r) {
  option(serve, "rate-limit", r.rate, "global token bucket: requests per second (0: off)")
      ->check(CLI::NonNegativeNumber);
  option(serve, "burst", r.burst, "global token bucket size (default: the rate, at least 1)")
      ->check(CLI::NonNegativeNumber);
  option(serve, "per-client-rate", r.per_client_rate,
         "token bucket per API key, or per client address without auth: requests per second (0: off)")
      ->check(CLI::NonNegativeNumber);
  option(serve, "per-client-burst", r.per_client_burst, "per-client bucket size (default: the rate, at least 1)")
      ->check(CLI::NonNegativeNumber);
}

void add_notify_options(CLI::App& serve, NotifyConfig& n) {
  option(serve, "notify-log", n.log, "file for the log channel's JSON lines; - is stdout");
  option(serve, "smtp-url", n.smtp_url, "SMTP relay for email notifications: smtp[s]://[user:pass@]host[:port]");
  option(serve, "smtp-from", n.smtp_from, "sender address of notification emails");
  option(serve, "sms-url", n.sms_url, "SMS gateway URL (form POST with To, From, Body)");
  option(serve, "sms-from", n.sms_from, "the From of SMS notifications");
  serve
      .add_flag("--webhook-allow-private", n.webhook_allow_private,
                "allow webhooks to loopback/private/link-local addresses (off: refused, SSRF guard)")
      ->envname(env_name("webhook-allow-private"));
  option(serve, "retry-base-ms", n.retry_base_ms, "first retry delay in ms; doubles per attempt, with jitter")
      ->check(CLI::PositiveNumber);
  option(serve, "retry-max-ms", n.retry_max_ms, "longest retry delay in ms")->check(CLI::PositiveNumber);
  option(serve, "max-attempts", n.max_attempts, "attempts per notification before it is dead-lettered")
      ->check(CLI::Range(1, 1000));
  option(serve, "notify-concurrency", n.concurrency,
         "notification attempts in flight at once (each waits on its receiver without holding a thread)")
      ->check(CLI::Range(1, 100000));
  option(serve, "notify-timeout-ms", n.timeout_ms, "time limit of one notification attempt in ms")
      ->check(CLI::PositiveNumber);
}

// The serve options that mean something without a listener: API Gateway owns the connections,
// keys and throttling, and there is no shutdown to drain (Lambda freezes and ends the process).
void add_lambda_options(CLI::App& lambda, Config& config) {
  auto& s = config.serve;
  add_store_options(lambda, config);
  option(lambda, "handler", config.lambda.handler,
         "what this function handles: api, relay or notifier [default: $_HANDLER]");
  option(lambda, "bus", s.bus, "event bus (relay and notifier): sns://REGION[?endpoint=URL&prefix=P]");
  option(lambda, "max-body", s.max_body, "largest accepted request body in bytes (more: 413)");
  option(lambda, "idempotency-ttl", s.idempotency_ttl_seconds, "seconds an Idempotency-Key is remembered")
      ->check(CLI::PositiveNumber);
  option(lambda, "retention-days", s.retention_days, "days done outbox events and deliveries are kept; 0: forever")
      ->check(CLI::NonNegativeNumber);
  option(lambda, "request-timeout", s.request_timeout_ms, "milliseconds one call to the store may take")
      ->check(CLI::PositiveNumber);
  option(lambda, "access-log", config.access_log, "one JSON line per request on stderr (true/false)");
  add_notify_options(lambda, s.notify);
}

// A `bootstrap` started by Lambda with no arguments is the runtime: the command line is then
// `lambda`, with the handler from $_HANDLER.
bool started_as_lambda_bootstrap(int argc, const char* const* argv) {
  if (argc != 1 || std::getenv("AWS_LAMBDA_RUNTIME_API") == nullptr) return false;
  const std::string_view name(argv[0]);
  const size_t slash = name.rfind('/');
  return name.substr(slash == std::string_view::npos ? 0 : slash + 1) == "bootstrap";
}

void add_dlq_commands(CLI::App& app, Config& config) {
  auto* dlq = app.add_subcommand("dlq", "notifications that exhausted their retries (dead letters)");
  dlq->require_subcommand(1, 1);
  auto* list = dlq->add_subcommand("list", "print dead notifications as JSON lines, newest first");
  add_store_options(*list, config);
  list->add_option("--limit", config.dlq.limit, "at most this many")->capture_default_str();
  list->callback([&config] { config.command = Command::dlq_list; });
  auto* replay =
      dlq->add_subcommand("replay", "queue dead notifications for new attempts (a running notifier picks them up)");
  add_store_options(*replay, config);
  auto* all = replay->add_flag("--all", config.dlq.all, "every dead notification");
  auto* id = replay->add_option("EVENT_ID", config.dlq.event_id, "the event whose notification to replay");
  all->excludes(id);
  replay->callback([&config, all, id] {
    if (all->count() == 0 && id->count() == 0) throw CLI::RequiredError("--all or EVENT_ID");
    config.command = Command::dlq_replay;
  });
}

void add_apikey_commands(CLI::App& app, Config& config) {
  auto* apikey = app.add_subcommand("apikey", "API keys for --auth api-key (servers see changes within a second)");
  apikey->require_subcommand(1, 1);
  auto& k = config.apikey;
  auto* create = apikey->add_subcommand("create", "create a key and print it once (only its hash is stored)");
  add_store_options(*create, config);
  create->add_option("--name", k.name, "who or what the key is for")->required();
  const CLI::Validator rate_check(
      [](const std::string& text) {
        double v = 0;
        return CLI::detail::lexical_cast(text, v) && v > 0 ? std::string() : "must be a number above 0";
      },
      "RATE > 0");
  const CLI::Validator burst_check(
      [](const std::string& text) {
        double v = 0;
        return CLI::detail::lexical_cast(text, v) && v >= 1 ? std::string() : "must be a number of at least 1";
      },
      "BURST >= 1");
  create->add_option("--rate", k.rate, "usage plan: requests per second (default: --per-client-rate)")
      ->check(rate_check);
  create->add_option("--burst", k.burst, "usage plan: bucket size (default: the rate)")->check(burst_check);
  create->callback([&config] { config.command = Command::apikey_create; });
  auto* list = apikey->add_subcommand("list", "print every key as JSON lines (id, name, limits, created, revoked)");
  add_store_options(*list, config);
  list->callback([&config] { config.command = Command::apikey_list; });
  auto* revoke = apikey->add_subcommand("revoke", "revoke a key by its id");
  add_store_options(*revoke, config);
  revoke->add_option("ID", k.id, "the key's id (as apikey list shows it)")->required();
  revoke->callback([&config] { config.command = Command::apikey_revoke; });
}

// CLI11 reads the environment for the options of every subcommand that has no parse-complete
// callback, chosen or not; options of two subcommands share a field (serve's and migrate's --bus),
// so NINJA_ORDERS_BUS would overwrite `serve --bus`. With a callback each reads it only when chosen.
void read_environment_only_when_chosen(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    sub->parse_complete_callback([] {});
    read_environment_only_when_chosen(*sub);
  }
}

}  // namespace

std::pair<std::string, uint16_t> split_listen_address(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    throw std::invalid_argument("listen address must be HOST:PORT, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec) throw std::invalid_argument("listen host must be an IP address, got '" + host + "'");
  const std::string digits = listen.substr(colon + 1);
  int port = -1;
  if (digits.size() <= 5 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    port = std::stoi(digits);
  }
  if (port < 0 || port > 65535) throw std::invalid_argument("listen port must be 0–65535 in '" + listen + "'");
  return {host, static_cast<uint16_t>(port)};
}

bool is_loopback_host(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

ParseResult parse(int argc, const char* const* argv) {
  Config config;
  CLI::App app{"Ninja Order Service: users, orders, events and notifications in one binary.", "ninja-orders"};
  app.set_version_flag("--version", std::string("ninja-orders ") + NINJA_ORDERS_VERSION);
  app.require_subcommand(1, 1);
  app.footer("Every flag also reads NINJA_ORDERS_<FLAG> (upper case, '-' → '_'); the flag wins.");

  auto* serve = app.add_subcommand("serve", "run the service (HTTP API, outbox relay, notifier)");
  add_serve_options(*serve, config);
  auto* lambda = app.add_subcommand(
      "lambda",
      "run as an AWS Lambda function's runtime (needs AWS_LAMBDA_RUNTIME_API; chosen by itself when started "
      "as `bootstrap`)");
  add_lambda_options(*lambda, config);
  auto* migrate = app.add_subcommand("migrate", "create or upgrade the schema of a store (and a bus), idempotently");
  add_store_options(*migrate, config);
  option(*migrate, "bus", config.serve.bus,
         "also create what this bus needs (nats://: its stream; sns://: topic, notifier queue, dead-letter queue); "
         "serve does it too");
  auto* backup = app.add_subcommand("backup", "consistent online backup of an embedded (sqlite:) store");
  add_store_options(*backup, config);
  backup->add_option("--out", config.backup_out, "file to write the backup to")->required();
  add_dlq_commands(app, config);
  add_apikey_commands(app, config);
  read_environment_only_when_chosen(app);

  const char* const as_lambda[] = {argv[0], "lambda"};
  if (started_as_lambda_bootstrap(argc, argv)) {
    argc = 2;
    argv = as_lambda;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, app.exit(e)};
  }
  if (lambda->parsed()) config.command = Command::lambda;
  if (migrate->parsed()) config.command = Command::migrate;
  if (backup->parsed()) config.command = Command::backup;

  if (config.command == Command::serve) {
    auto& s = config.serve;
    try {
      std::tie(s.host, s.port) = split_listen_address(s.listen);
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << "\n";
      return {std::nullopt, 2};
    }
    const bool loopback = is_loopback_host(s.host);
    if (s.auth.empty()) s.auth = loopback ? "none" : "api-key";
    if (s.auth == "none" && !loopback && !s.insecure) {
      std::cerr << "error: refusing to serve " << s.listen
                << " without authentication; use a loopback address, --auth api-key, or --insecure\n";
      return {std::nullopt, 2};
    }
    if (!s.admin_key_file.empty()) {
      try {
        s.admin_key = read_admin_key_file(s.admin_key_file);
      } catch (const std::invalid_argument& e) {
        std::cerr << "error: " << e.what() << "\n";
        return {std::nullopt, 2};
      }
    }
    const size_t cores = std::max(1U, std::thread::hardware_concurrency());
    if (s.threads == 0) s.threads = cores;
    for (const auto& role : s.roles) {
      if (role != "api" && role != "relay" && role != "notifier") {
        std::cerr << "error: unknown role '" << role << "' (expected api, relay, notifier)\n";
        return {std::nullopt, 2};
      }
    }
  }
  if (config.command == Command::lambda) {
    auto& l = config.lambda;
    const char* handler = std::getenv("_HANDLER");
    if (l.handler.empty() && handler != nullptr) l.handler = handler;
    const char* runtime_api = std::getenv("AWS_LAMBDA_RUNTIME_API");
    if (runtime_api != nullptr) l.runtime_api = runtime_api;
    if (l.runtime_api.empty()) {
      std::cerr << "error: lambda needs AWS_LAMBDA_RUNTIME_API (Lambda sets it; tests set it to their emulator)\n";
      return {std::nullopt, 2};
    }
    config.serve.auth = "none";  // API Gateway checks the keys (usage plans)
    // The package carries Debian's bundle: Amazon Linux keeps its own where Debian's libcurl does not look.
    const char* task_root = std::getenv("LAMBDA_TASK_ROOT");
    const std::string packaged = task_root ? std::string(task_root) + "/share/ca-certificates.crt" : std::string();
    if (config.ca_file.empty() && !packaged.empty() && std::ifstream(packaged).good()) config.ca_file = packaged;
  }
  config.serve.notify.ca_file = config.ca_file;
  return {config, 0};
}

}  // namespace ninja::config
