// `ninja-orders lambda` and the `bootstrap` that Lambda starts without arguments.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "unit/config/config_fixture.hpp"

namespace ninja::config {
namespace {

TEST_F(ConfigTest, LambdaTakesItsHandlerFromTheFlagThenFromUnderscoreHandler) {
  env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
  env("_HANDLER", "api");
  auto result = run({"lambda", "--store", "dynamodb://eu-west-1"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->command, Command::lambda);
  EXPECT_EQ(result.config->lambda.handler, "api");
  EXPECT_EQ(result.config->lambda.runtime_api, "127.0.0.1:9001");
  EXPECT_EQ(result.config->serve.auth, "none");  // API Gateway checks the keys
  EXPECT_EQ(result.config->store, "dynamodb://eu-west-1");

  result = run({"lambda", "--handler", "notifier"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->lambda.handler, "notifier");  // checked at init, where it reaches /init/error
}

TEST_F(ConfigTest, LambdaReadsTheServeSettingsFromTheEnvironment) {
  env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
  env("NINJA_ORDERS_STORE", "sqlite:/tmp/x.db");
  env("NINJA_ORDERS_MAX_BODY", "2048");
  env("NINJA_ORDERS_IDEMPOTENCY_TTL", "60");
  const auto result = run({"lambda", "--handler", "api"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->store, "sqlite:/tmp/x.db");
  EXPECT_EQ(result.config->serve.max_body, 2048u);
  EXPECT_EQ(result.config->serve.idempotency_ttl_seconds, 60);
}

TEST_F(ConfigTest, LambdaWithoutARuntimeApiIsRefused) {
  unsetenv("AWS_LAMBDA_RUNTIME_API");
  expect_refused({"lambda", "--handler", "api"});
  EXPECT_NE(err.find("AWS_LAMBDA_RUNTIME_API"), std::string::npos) << err;
}

TEST_F(ConfigTest, ABootstrapStartedByLambdaIsTheLambdaCommand) {
  env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
  env("_HANDLER", "api");
  const auto result = run_as("/var/task/bootstrap", {});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->command, Command::lambda);
  EXPECT_EQ(result.config->lambda.handler, "api");
}

TEST_F(ConfigTest, ABootstrapOutsideLambdaOrWithArgumentsIsAnOrdinaryCommandLine) {
  env("_HANDLER", "api");
  unsetenv("AWS_LAMBDA_RUNTIME_API");
  expect_refused({});  // no command: usage
  env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
  const auto result = run_as("/var/task/bootstrap", {"serve"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->command, Command::serve);
  expect_refused({});  // `ninja-orders` with no arguments is not a bootstrap, whatever the environment
}

}  // namespace
}  // namespace ninja::config

namespace ninja::config {
namespace {

TEST_F(ConfigTest, InLambdaTheCaFileIsThePackagesBundleUnlessOneIsGiven) {
  const std::string root = ::testing::TempDir() + "/lambda-task-root";
  std::filesystem::create_directories(root + "/share");
  std::ofstream(root + "/share/ca-certificates.crt") << "-----BEGIN CERTIFICATE-----\n";
  env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
  env("LAMBDA_TASK_ROOT", root);
  auto result = run({"lambda", "--handler", "api"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->ca_file, root + "/share/ca-certificates.crt");
  EXPECT_EQ(result.config->serve.notify.ca_file, result.config->ca_file);  // webhooks and SMTP check against it too

  const std::string own = root + "/own.pem";
  std::ofstream(own) << "pem";
  result = run({"lambda", "--handler", "api", "--ca-file", own});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_EQ(result.config->ca_file, own);

  std::filesystem::remove(root + "/share/ca-certificates.crt");
  result = run({"lambda", "--handler", "api"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_TRUE(result.config->ca_file.empty());  // no bundle in the package: libcurl's default
}

TEST_F(ConfigTest, ACaFileThatDoesNotExistIsRefused) {
  expect_refused({"serve", "--ca-file", "/nonexistent/ca.pem"});
  EXPECT_NE(err.find("ca-file"), std::string::npos) << err;
}

}  // namespace
}  // namespace ninja::config
