// The admin API's access rule (console-contract §1), case by case: a configured key, the listener's
// address, --auth, and the presented key.
#include "http/admin_access.hpp"

#include <gtest/gtest.h>

namespace ninja::http {
namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef-admin";

AdminAccess access(bool key_configured, bool auth_required, bool loopback) {
  return AdminAccess({key_configured ? std::optional<std::string>(kKey) : std::nullopt, auth_required, loopback});
}

TEST(AdminAccess, WithAKeyConfiguredOnlyThatKeyPasses_WhateverTheAuthAndAddress) {
  for (const bool auth_required : {false, true}) {
    for (const bool loopback : {false, true}) {
      SCOPED_TRACE(testing::Message() << "auth_required=" << auth_required << " loopback=" << loopback);
      const auto rule = access(true, auth_required, loopback);
      EXPECT_EQ(rule.verdict(kKey), AdminVerdict::allowed);
      EXPECT_EQ(rule.verdict(""), AdminVerdict::key_required);
      EXPECT_EQ(rule.verdict("wrong"), AdminVerdict::key_required);
      EXPECT_EQ(rule.verdict(kKey + "x"), AdminVerdict::key_required);
      EXPECT_EQ(rule.verdict(kKey.substr(0, kKey.size() - 1)), AdminVerdict::key_required);
      EXPECT_TRUE(rule.is_admin_key(kKey));
      EXPECT_FALSE(rule.is_admin_key(""));
      EXPECT_FALSE(rule.is_admin_key("wrong"));
    }
  }
}

TEST(AdminAccess, WithoutAKeyItIsOpenOnlyWithAuthNoneOnALoopbackListener) {
  for (const std::string& presented : {std::string(), std::string("anything"), kKey}) {
    SCOPED_TRACE(presented);
    EXPECT_EQ(access(false, false, true).verdict(presented), AdminVerdict::allowed);
    EXPECT_EQ(access(false, false, false).verdict(presented), AdminVerdict::disabled);
    EXPECT_EQ(access(false, true, true).verdict(presented), AdminVerdict::disabled);
    EXPECT_EQ(access(false, true, false).verdict(presented), AdminVerdict::disabled);
    EXPECT_FALSE(access(false, false, true).is_admin_key(presented));  // no key: nothing is the admin's
  }
}

TEST(AdminAccess, GuardsTheAdminPathsOnly) {
  for (const char* path : {"/admin", "/admin/", "/admin/v1/dead-letters", "/admin/v2/x"}) {
    EXPECT_TRUE(AdminAccess::is_admin_path(path)) << path;
  }
  for (const char* path : {"/administrator", "/v1/admin", "/", "/adminx/v1", "/console/"}) {
    EXPECT_FALSE(AdminAccess::is_admin_path(path)) << path;
  }
}

TEST(AdminAccess, RefusalsAreProblemsThatSayWhatToDo) {
  const auto missing = AdminAccess::refusal(AdminVerdict::key_required);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.content_type, "application/problem+json");
  EXPECT_NE(missing.body.find("\"type\":\"/problems/admin-key-required\""), std::string::npos) << missing.body;
  const auto disabled = AdminAccess::refusal(AdminVerdict::disabled);
  EXPECT_EQ(disabled.status, 403);
  EXPECT_NE(disabled.body.find("\"type\":\"/problems/admin-disabled\""), std::string::npos) << disabled.body;
  EXPECT_NE(disabled.body.find("--admin-key-file"), std::string::npos) << disabled.body;
}

}  // namespace
}  // namespace ninja::http
