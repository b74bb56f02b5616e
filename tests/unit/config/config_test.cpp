#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "unit/config/config_fixture.hpp"

namespace ninja::config {
namespace {

TEST_F(ConfigTest, ServeDefaults) {
  const auto result = run({"serve"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.exit_code, 0);
  const Config& c = *result.config;
  EXPECT_EQ(c.command, Command::serve);
  EXPECT_EQ(c.store, "sqlite:ninja-orders.db");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.access_log);
  EXPECT_EQ(c.serve.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.serve.host, "127.0.0.1");
  EXPECT_EQ(c.serve.port, 8080);
  EXPECT_EQ(c.serve.auth, "none");  // loopback default
  EXPECT_FALSE(c.serve.insecure);
  EXPECT_EQ(c.serve.bus, "inproc");
  EXPECT_EQ(c.serve.roles, (std::vector<std::string>{"api", "relay", "notifier"}));
  EXPECT_GE(c.serve.threads, 1u);  // 0 resolved to the core count
  EXPECT_EQ(c.serve.max_body, 1048576u);
  EXPECT_EQ(c.serve.idempotency_ttl_seconds, 86400);
  EXPECT_EQ(c.serve.shutdown_grace_seconds, 10);
}

TEST_F(ConfigTest, FlagsAreApplied) {
  const auto result = run({"serve", "--listen", "127.0.0.1:0", "--store", "sqlite:/tmp/x.db", "--threads", "3",
                           "--max-body", "2048", "--idempotency-ttl", "60", "--shutdown-grace", "0", "--log-level",
                           "debug", "--access-log", "false", "--roles", "api,relay"});
  ASSERT_TRUE(result.config.has_value()) << err;
  const Config& c = *result.config;
  EXPECT_EQ(c.serve.port, 0);
  EXPECT_EQ(c.store, "sqlite:/tmp/x.db");
  EXPECT_EQ(c.serve.threads, 3u);
  EXPECT_EQ(c.serve.max_body, 2048u);
  EXPECT_EQ(c.serve.idempotency_ttl_seconds, 60);
  EXPECT_EQ(c.serve.shutdown_grace_seconds, 0);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_FALSE(c.access_log);
  EXPECT_EQ(c.serve.roles, (std::vector<std::string>{"api", "relay"}));
}

TEST_F(ConfigTest, EnvironmentIsUsedWhenFlagIsAbsent) {
  env("NINJA_ORDERS_LISTEN", "127.0.0.1:9090");
  env("NINJA_ORDERS_STORE", "sqlite:/tmp/env.db");
  env("NINJA_ORDERS_MAX_BODY", "4096");  // '-' becomes '_'
  const auto result = run({"serve"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->serve.listen, "127.0.0.1:9090");
  EXPECT_EQ(result.config->serve.port, 9090);
  EXPECT_EQ(result.config->store, "sqlite:/tmp/env.db");
  EXPECT_EQ(result.config->serve.max_body, 4096u);
}

TEST_F(ConfigTest, FlagWinsOverEnvironment) {
  env("NINJA_ORDERS_LISTEN", "127.0.0.1:9090");
  env("NINJA_ORDERS_MAX_BODY", "4096");
  const auto result = run({"serve", "--listen", "127.0.0.1:7070", "--max-body", "100"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->serve.port, 7070);
  EXPECT_EQ(result.config->serve.max_body, 100u);
}

TEST_F(ConfigTest, AnotherCommandsOptionOnTheSameSettingDoesNotReadTheEnvironment) {
  // migrate has a --bus too: its NINJA_ORDERS_BUS once overwrote `serve --bus`.
  env("NINJA_ORDERS_BUS", "nats://127.0.0.1:4222");
  auto result = run({"serve", "--bus", "inproc"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->serve.bus, "inproc");
  result = run({"migrate"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->serve.bus, "nats://127.0.0.1:4222");  // the chosen command still reads it
}

TEST_F(ConfigTest, NonLoopbackDefaultsToApiKey) {
  const auto result = run({"serve", "--listen", "0.0.0.0:8080"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->serve.auth, "api-key");
  EXPECT_EQ(result.config->serve.host, "0.0.0.0");
}

TEST_F(ConfigTest, NonLoopbackWithoutAuthIsRefused) {
  expect_refused({"serve", "--listen", "0.0.0.0:8080", "--auth", "none"});
  EXPECT_NE(err.find("--insecure"), std::string::npos) << err;
  expect_refused({"serve", "--listen", "[::]:8080", "--auth", "none"});
  expect_refused({"serve", "--listen", "192.168.1.10:8080", "--auth", "none"});
}

TEST_F(ConfigTest, NonLoopbackWithoutAuthIsRefusedWhenSetThroughEnvironment) {
  env("NINJA_ORDERS_LISTEN", "0.0.0.0:8080");
  env("NINJA_ORDERS_AUTH", "none");
  expect_refused({"serve"});
}

TEST_F(ConfigTest, InsecureAllowsNonLoopbackWithoutAuth) {
  const auto result = run({"serve", "--listen", "0.0.0.0:8080", "--auth", "none", "--insecure"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->serve.auth, "none");
  EXPECT_TRUE(result.config->serve.insecure);
}

TEST_F(ConfigTest, InsecureFromEnvironment) {
  env("NINJA_ORDERS_INSECURE", "true");
  const auto result = run({"serve", "--listen", "0.0.0.0:8080", "--auth", "none"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_TRUE(result.config->serve.insecure);
}

TEST_F(ConfigTest, LoopbackAddresses) {
  auto v6 = run({"serve", "--listen", "[::1]:8080"});
  ASSERT_TRUE(v6.config.has_value()) << err;
  EXPECT_EQ(v6.config->serve.host, "::1");
  EXPECT_EQ(v6.config->serve.port, 8080);
  EXPECT_EQ(v6.config->serve.auth, "none");
  auto named = run({"serve", "--listen", "localhost:8081"});
  ASSERT_TRUE(named.config.has_value()) << err;
  EXPECT_EQ(named.config->serve.host, "127.0.0.1");
  EXPECT_EQ(named.config->serve.auth, "none");
}

TEST_F(ConfigTest, ExplicitApiKeyOnLoopback) {
  const auto result = run({"serve", "--auth", "api-key"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->serve.auth, "api-key");
}

TEST_F(ConfigTest, StoreConnectionsDefaultToTheBackendsChoice) {
  const auto by_default = run({"serve"});
  ASSERT_TRUE(by_default.config.has_value()) << err;
  EXPECT_EQ(by_default.config->serve.store_connections, 0u);
}

TEST_F(ConfigTest, StoreConnectionsFlagAndEnvironment) {
  for (const auto& n : {std::string("1"), std::string("7"), std::string("1024")}) {
    const auto result = run({"serve", "--store-connections", n});
    ASSERT_TRUE(result.config.has_value()) << n << ": " << err;
    EXPECT_EQ(result.config->serve.store_connections, std::stoul(n));
  }
  expect_refused({"serve", "--store-connections", "1025"});
  env("NINJA_ORDERS_STORE_CONNECTIONS", "5");
  const auto from_env = run({"serve"});
  ASSERT_TRUE(from_env.config.has_value()) << err;
  EXPECT_EQ(from_env.config->serve.store_connections, 5u);
}

TEST_F(ConfigTest, WorkerFlagsAreGone) {
  // Reads are asynchronous now: nothing on the request path needs a pool of its own.
  expect_refused({"serve", "--workers", "2"});
  expect_refused({"serve", "--read-workers", "2"});
  expect_refused({"serve", "--write-workers", "64"});
}

TEST_F(ConfigTest, BadValuesAreRefused) {
  expect_refused({"serve", "--listen", "nohost"});
  expect_refused({"serve", "--listen", "127.0.0.1:99999"});
  expect_refused({"serve", "--listen", "example.com:80"});
  expect_refused({"serve", "--auth", "basic"});
  expect_refused({"serve", "--roles", "api,bogus"});
  expect_refused({"serve", "--log-level", "verbose"});
  expect_refused({"serve", "--store-connections", "-1"});
  expect_refused({"serve", "--store-connections", "1025"});
  expect_refused({"serve", "--idempotency-ttl", "0"});
  expect_refused({"serve", "--max-body", "lots"});
  expect_refused({"serve", "--bogus-flag"});
}

TEST_F(ConfigTest, BadEnvironmentValueIsRefused) {
  env("NINJA_ORDERS_LISTEN", "127.0.0.1:notaport");
  expect_refused({"serve"});
}

TEST_F(ConfigTest, SubcommandIsRequired) {
  expect_refused({});
  expect_refused({"frobnicate"});
}

TEST_F(ConfigTest, HelpAndVersionExitZeroWithoutConfig) {
  auto help = run({"--help"});
  EXPECT_FALSE(help.config.has_value());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE((out + err).find("serve"), std::string::npos);
  auto serve_help = run({"serve", "--help"});
  EXPECT_FALSE(serve_help.config.has_value());
  EXPECT_EQ(serve_help.exit_code, 0);
  EXPECT_NE((out + err).find("--listen"), std::string::npos);
  auto version = run({"--version"});
  EXPECT_FALSE(version.config.has_value());
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE((out + err).find(std::string("ninja-orders ") + NINJA_ORDERS_VERSION), std::string::npos) << out << err;
}

TEST_F(ConfigTest, Migrate) {
  const auto result = run({"migrate", "--store", "sqlite:/tmp/m.db"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->command, Command::migrate);
  EXPECT_EQ(result.config->store, "sqlite:/tmp/m.db");
  EXPECT_EQ(result.config->serve.bus, "inproc");           // nothing to create on the bus
  expect_refused({"migrate", "--listen", "127.0.0.1:1"});  // a serve flag
  const auto with_bus = run({"migrate", "--store", "sqlite:/tmp/m.db", "--bus", "nats://127.0.0.1:4222"});
  ASSERT_TRUE(with_bus.config.has_value()) << err;
  EXPECT_EQ(with_bus.config->serve.bus, "nats://127.0.0.1:4222");
}

TEST_F(ConfigTest, MigrateReadsStoreFromEnvironment) {
  env("NINJA_ORDERS_STORE", "sqlite:/tmp/env-m.db");
  const auto result = run({"migrate"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->store, "sqlite:/tmp/env-m.db");
}

TEST_F(ConfigTest, BackupNeedsOut) {
  expect_refused({"backup", "--store", "sqlite:/tmp/b.db"});
  const auto result = run({"backup", "--store", "sqlite:/tmp/b.db", "--out", "/tmp/b.bak"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->command, Command::backup);
  EXPECT_EQ(result.config->backup_out, "/tmp/b.bak");
}

// ---- split_listen_address / is_loopback_host -------------------------------------------------------

TEST(SplitListenAddress, Ipv4) {
  EXPECT_EQ(split_listen_address("127.0.0.1:8080"), (std::pair<std::string, uint16_t>{"127.0.0.1", 8080}));
  EXPECT_EQ(split_listen_address("0.0.0.0:0"), (std::pair<std::string, uint16_t>{"0.0.0.0", 0}));
  EXPECT_EQ(split_listen_address("10.1.2.3:65535"), (std::pair<std::string, uint16_t>{"10.1.2.3", 65535}));
}

TEST(SplitListenAddress, BracketedIpv6) {
  EXPECT_EQ(split_listen_address("[::1]:8080"), (std::pair<std::string, uint16_t>{"::1", 8080}));
  EXPECT_EQ(split_listen_address("[::]:80"), (std::pair<std::string, uint16_t>{"::", 80}));
  EXPECT_EQ(split_listen_address("[fe80::1:2]:443"), (std::pair<std::string, uint16_t>{"fe80::1:2", 443}));
}

TEST(SplitListenAddress, LocalhostIsLoopbackV4) {
  EXPECT_EQ(split_listen_address("localhost:80"), (std::pair<std::string, uint16_t>{"127.0.0.1", 80}));
}

TEST(SplitListenAddress, BadPorts) {
  for (const char* bad : {"127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:abc", "127.0.0.1:80x",
                          "127.0.0.1:8o", "127.0.0.1:99999999999999999999", "127.0.0.1:1.5", "[::1]:"}) {
    EXPECT_THROW(split_listen_address(bad), std::invalid_argument) << bad;
  }
}

TEST(SplitListenAddress, PortMustBeDigitsOnly) {
  // std::stoi skips leading whitespace and accepts a sign; neither belongs in HOST:PORT.
  for (const char* bad : {"127.0.0.1:+80", "127.0.0.1: 80", "127.0.0.1:\t80", "127.0.0.1:-0"}) {
    EXPECT_THROW(split_listen_address(bad), std::invalid_argument) << '"' << bad << '"';
  }
}

TEST(SplitListenAddress, BadHosts) {
  for (const char* bad : {"", "8080", "127.0.0.1", ":8080", "example.com:80", "[::1]", "[::1:8080", "::1]:8080",
                          "256.0.0.1:80", "[127.0.0.1 ]:80", "[zz::1]:80"}) {
    EXPECT_THROW(split_listen_address(bad), std::invalid_argument) << '"' << bad << '"';
  }
}

TEST(IsLoopbackHost, RecognisesLoopbackAddressesOnly) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("::"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("192.168.0.1"));
  EXPECT_FALSE(is_loopback_host("localhost"));  // not an address; split_listen_address maps it first
  EXPECT_FALSE(is_loopback_host(""));
}

}  // namespace
}  // namespace ninja::config
