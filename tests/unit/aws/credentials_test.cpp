#include "aws/credentials.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/temp_dir.hpp"

namespace ninja::aws {
namespace {

constexpr const char* kChainSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET";
constexpr const char* kChainToken = "FwoGZXIvYXdzEBaaSESSIONTOKEN";

struct World {
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> files;

  Environment environment() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      const auto it = env.find(name);
      if (it == env.end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
  }
  FileReader reader() const {
    return [this](const std::string& path) -> std::optional<std::string> {
      const auto it = files.find(path);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
  }
  Credentials resolve() const { return resolve_credentials(environment(), reader()); }
  // The message of the ConfigurationError resolve() throws ("" if it does not).
  std::string failure() const {
    try {
      resolve();
    } catch (const ConfigurationError& e) {
      return e.what();
    }
    return "";
  }
};

const std::string kFile = std::string(R"(# written by aws configure
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = )") +
                          kChainSecret + R"(

[ci]
aws_access_key_id=AKIDCI
; a comment
aws_secret_access_key=ciSecret
aws_session_token = )" + kChainToken +
                          R"(

[broken]
aws_access_key_id = AKIDBROKEN
)";

TEST(AwsCredentials, TheEnvironmentComesFirst) {
  World world;
  world.env = {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", kChainSecret}, {"HOME", "/home/u"}};
  world.files["/home/u/.aws/credentials"] = kFile;
  const auto credentials = world.resolve();
  EXPECT_EQ(credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(credentials.secret_access_key, kChainSecret);
  EXPECT_EQ(credentials.session_token, "");
  EXPECT_EQ(credentials.source, "environment");

  world.env["AWS_SESSION_TOKEN"] = kChainToken;
  EXPECT_EQ(world.resolve().session_token, kChainToken);
}

TEST(AwsCredentials, HalfAPairInTheEnvironmentIsAnErrorNotAFallback) {
  World world;
  world.env = {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"HOME", "/home/u"}};
  world.files["/home/u/.aws/credentials"] = kFile;
  EXPECT_EQ(world.failure(), "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  world.env = {{"AWS_SECRET_ACCESS_KEY", kChainSecret}, {"HOME", "/home/u"}};
  const std::string message = world.failure();
  EXPECT_EQ(message, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  EXPECT_EQ(message.find(kChainSecret), std::string::npos);
}

TEST(AwsCredentials, ThenTheDefaultProfileInHomesCredentialsFile) {
  World world;
  world.env = {{"HOME", "/home/u"}};
  world.files["/home/u/.aws/credentials"] = kFile;
  const auto credentials = world.resolve();
  EXPECT_EQ(credentials.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(credentials.secret_access_key, kChainSecret);
  EXPECT_EQ(credentials.session_token, "");
  EXPECT_EQ(credentials.source, "profile default in /home/u/.aws/credentials");
}

TEST(AwsCredentials, ANamedProfileInTheConfiguredFileWithASessionToken) {
  World world;
  world.env = {{"HOME", "/home/u"}, {"AWS_PROFILE", "ci"}, {"AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/creds"}};
  world.files["/etc/aws/creds"] = kFile;
  const auto credentials = world.resolve();
  EXPECT_EQ(credentials.access_key_id, "AKIDCI");
  EXPECT_EQ(credentials.secret_access_key, "ciSecret");
  EXPECT_EQ(credentials.session_token, kChainToken);
  EXPECT_EQ(credentials.source, "profile ci in /etc/aws/creds");
}

TEST(AwsCredentials, MissingPiecesAreNamedAndNoSecretIsPrinted) {
  World world;
  world.env = {{"HOME", "/home/u"}};
  EXPECT_EQ(world.failure(),
            "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and "
            "/home/u/.aws/credentials cannot be read");

  world.files["/home/u/.aws/credentials"] = kFile;
  world.env["AWS_PROFILE"] = "prod";
  EXPECT_EQ(world.failure(), "no AWS credentials: profile 'prod' is not in /home/u/.aws/credentials");

  world.env["AWS_PROFILE"] = "broken";
  EXPECT_EQ(world.failure(),
            "no AWS credentials: profile 'broken' in /home/u/.aws/credentials has no aws_secret_access_key");

  world.env.clear();
  EXPECT_NE(world.failure().find("neither AWS_SHARED_CREDENTIALS_FILE nor HOME"), std::string::npos);

  for (const auto& profile : {"default", "ci", "broken", "prod"}) {
    world.env = {{"HOME", "/home/u"}, {"AWS_PROFILE", profile}};
    const std::string message = world.failure();
    EXPECT_EQ(message.find(kChainSecret), std::string::npos) << message;
    EXPECT_EQ(message.find("ciSecret"), std::string::npos) << message;
    EXPECT_EQ(message.find(kChainToken), std::string::npos) << message;
  }
}

TEST(AwsCredentials, TheRealFileReaderReadsAFileAndReportsAMissingOne) {
  testing_support::TempDir dir;
  const std::string path = (dir.path() / "credentials").string();
  const auto reader = file_system_reader();
  EXPECT_EQ(reader(path), std::nullopt);
  { std::ofstream(path) << kFile; }
  World world;
  world.env = {{"AWS_SHARED_CREDENTIALS_FILE", path}, {"AWS_PROFILE", "ci"}};
  const auto credentials = resolve_credentials(world.environment(), reader);
  EXPECT_EQ(credentials.session_token, kChainToken);
}

TEST(AwsRegion, FromTheUrlThenAwsRegionThenTheDefaultRegion) {
  World world;
  world.env = {{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}};
  EXPECT_EQ(resolve_region("ap-south-1", world.environment()), "ap-south-1");
  EXPECT_EQ(resolve_region("", world.environment()), "eu-west-1");
  world.env.erase("AWS_REGION");
  EXPECT_EQ(resolve_region("", world.environment()), "us-west-2");
}

TEST(AwsRegion, MissingOrMalformedRegionsAreRefused) {
  World world;
  try {
    resolve_region("", world.environment());
    FAIL() << "no region must be an error";
  } catch (const ConfigurationError& e) {
    EXPECT_NE(std::string(e.what()).find("set AWS_REGION"), std::string::npos) << e.what();
  }
  for (const char* bad : {"us-east-1.evil.com", "US-EAST-1", "us east", "eu-west-1/x", "a:b"}) {
    EXPECT_THROW(resolve_region(bad, world.environment()), ConfigurationError) << bad;
  }
  world.env["AWS_REGION"] = "x@y";
  try {
    resolve_region("", world.environment());
    FAIL();
  } catch (const ConfigurationError& e) {
    EXPECT_EQ(std::string(e.what()), "the AWS region from AWS_REGION is not a region name: x@y");
  }
}

}  // namespace
}  // namespace ninja::aws
