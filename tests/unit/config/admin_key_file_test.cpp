// --admin-key-file: what a good key file is, and that a bad one stops `serve` without printing it.
#include "config/admin_key_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config_fixture.hpp"

namespace ninja::config {
namespace {

const std::string kKey = "4f0c2d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a1908f7e6d";

class AdminKeyFileTest : public ConfigTest {
 protected:
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ninja-admin-key-" + std::to_string(::getpid()) + "-" +
                                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override {
    ConfigTest::SetUp();
    std::filesystem::create_directories(dir);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir);
    ConfigTest::TearDown();
  }
  std::string file(const std::string& content) {
    const auto path = dir / "admin.key";
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  // The message of read_admin_key_file's refusal ("" if it accepted the file).
  static std::string refusal(const std::string& path) {
    try {
      read_admin_key_file(path);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(AdminKeyFileTest, ReadsOneKeyIgnoringSurroundingWhitespace) {
  EXPECT_EQ(read_admin_key_file(file(kKey)), kKey);
  EXPECT_EQ(read_admin_key_file(file(kKey + "\n")), kKey);
  EXPECT_EQ(read_admin_key_file(file("  \t" + kKey + " \r\n\n")), kKey);
  EXPECT_EQ(read_admin_key_file(file(std::string(32, 'k'))), std::string(32, 'k'));
}

TEST_F(AdminKeyFileTest, RefusesBadFilesWithoutShowingTheirContent) {
  const std::string secretish = "SECRET-PART-SECRET-PART-SECRET";  // 30 characters: too short
  for (const auto& [content, reason] : std::vector<std::pair<std::string, std::string>>{
           {"", "empty"},
           {" \n\t\n", "empty"},
           {secretish, "at least 32"},
           {kKey + "\n" + kKey, "more than one line"},
           {secretish + " " + secretish, "printable ASCII"},
           {secretish + "\x01" + secretish, "printable ASCII"},
           {secretish + "é" + secretish, "printable ASCII"},
           {std::string(5000, 'k'), "larger than"},
       }) {
    const std::string message = refusal(file(content));
    EXPECT_NE(message.find(reason), std::string::npos) << message;
    EXPECT_NE(message.find("--admin-key-file"), std::string::npos) << message;
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
  }
  EXPECT_NE(refusal((dir / "absent.key").string()).find("cannot be read"), std::string::npos);
  EXPECT_NE(refusal(dir.string()).find("--admin-key-file"), std::string::npos);  // a directory
}

TEST_F(AdminKeyFileTest, ServeReadsTheFileAtParseTimeFromTheFlagOrTheEnvironment) {
  const auto path = file(kKey + "\n");
  auto by_flag = run({"serve", "--admin-key-file", path});
  ASSERT_TRUE(by_flag.config.has_value()) << err;
  EXPECT_EQ(by_flag.config->serve.admin_key, kKey);
  env("NINJA_ORDERS_ADMIN_KEY_FILE", path);
  auto by_env = run({"serve"});
  ASSERT_TRUE(by_env.config.has_value()) << err;
  EXPECT_EQ(by_env.config->serve.admin_key, kKey);
}

TEST_F(AdminKeyFileTest, WithoutTheFlagThereIsNoAdminKey) {
  auto result = run({"serve"});
  ASSERT_TRUE(result.config.has_value()) << err;
  EXPECT_FALSE(result.config->serve.admin_key.has_value());
}

TEST_F(AdminKeyFileTest, ServeRefusesABadFileWithAClearErrorThatHidesTheKey) {
  expect_refused({"serve", "--admin-key-file", file("SECRET-but-short")});
  EXPECT_NE(err.find("--admin-key-file"), std::string::npos) << err;
  EXPECT_NE(err.find("at least 32"), std::string::npos) << err;
  EXPECT_EQ(err.find("SECRET"), std::string::npos) << err;
  expect_refused({"serve", "--admin-key-file", (dir / "missing").string()});
  EXPECT_NE(err.find("cannot be read"), std::string::npos) << err;
}

TEST_F(AdminKeyFileTest, HelpDocumentsTheOption) {
  run({"serve", "--help"});
  EXPECT_NE(out.find("--admin-key-file"), std::string::npos) << out;
}

}  // namespace
}  // namespace ninja::config
