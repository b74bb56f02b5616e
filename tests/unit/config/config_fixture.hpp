#pragma once
// The configuration tests' fixture: a clean NINJA_ORDERS_* environment and a parse that captures
// what CLI11 prints.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"

extern char** environ;

namespace ninja::config {

// Clears every NINJA_ORDERS_* variable for the test and restores them afterwards.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (char** e = environ; *e; ++e) {
      const std::string entry = *e;
      if (entry.rfind("NINJA_ORDERS_", 0) == 0) {
        const size_t eq = entry.find('=');
        saved_[entry.substr(0, eq)] = entry.substr(eq + 1);
      }
    }
    for (const auto& [name, value] : saved_) unsetenv(name.c_str());
  }
  void TearDown() override {
    for (const auto& name : set_) unsetenv(name.c_str());
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }

  void env(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
    set_.push_back(name);
  }

  // Parses `ninja-orders args…`, capturing what CLI11 prints.
  ParseResult run(std::vector<std::string> args) { return run_as("ninja-orders", std::move(args)); }

  // The same, started as `program` (argv[0]).
  ParseResult run_as(const std::string& program, std::vector<std::string> args) {
    args.insert(args.begin(), program);
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    auto result = parse(static_cast<int>(argv.size()), argv.data());
    out = ::testing::internal::GetCapturedStdout();
    err = ::testing::internal::GetCapturedStderr();
    return result;
  }

  // Parses and expects a refusal: no configuration, non-zero exit code.
  void expect_refused(std::vector<std::string> args) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    const auto result = run(std::move(args));
    EXPECT_FALSE(result.config.has_value()) << joined;
    EXPECT_NE(result.exit_code, 0) << joined;
  }

  std::string out, err;

 private:
  std::map<std::string, std::string> saved_;
  std::vector<std::string> set_;
};

}  // namespace ninja::config
