#include "domain/api_key.hpp"

#include <gtest/gtest.h>

#include "util/crypto.hpp"

namespace ninja::domain {
namespace {

std::string counting_bytes(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(i + 1));
  return out;
}

TEST(ApiKey, IssuesAShapedKeyAndStoresOnlyItsHash) {
  const auto issued = issue_api_key("ci", 2.0, 5.0, 1234, counting_bytes);
  EXPECT_EQ(issued.key.id, "0102030405060708");
  EXPECT_TRUE(issued.secret.starts_with("nok_0102030405060708_"));
  EXPECT_EQ(issued.secret.size(), 4u + 16 + 1 + 43);
  EXPECT_EQ(issued.key.hash, util::sha256_hex(issued.secret));
  EXPECT_EQ(issued.key.hash.find(issued.secret), std::string::npos);
  EXPECT_EQ(issued.key.rate, 2.0);
  EXPECT_EQ(issued.key.burst, 5.0);
  EXPECT_EQ(issued.key.created_at_ms, 1234);
  EXPECT_EQ(api_key_id(issued.secret), "0102030405060708");
  EXPECT_TRUE(api_key_matches(issued.key, issued.secret));
}

TEST(ApiKey, RealKeysDiffer) {
  const auto a = issue_api_key("a", std::nullopt, std::nullopt, 1, util::random_bytes);
  const auto b = issue_api_key("b", std::nullopt, std::nullopt, 1, util::random_bytes);
  EXPECT_NE(a.key.id, b.key.id);
  EXPECT_NE(a.secret, b.secret);
  EXPECT_FALSE(api_key_matches(a.key, b.secret));
}

TEST(ApiKey, RejectsNearMisses) {
  const auto issued = issue_api_key("ci", std::nullopt, std::nullopt, 1, util::random_bytes);
  std::string altered = issued.secret;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(api_key_id(altered), issued.key.id);       // same shape and id...
  EXPECT_FALSE(api_key_matches(issued.key, altered));  // ...but not the key
  EXPECT_FALSE(api_key_id(issued.secret + "x").has_value());
  EXPECT_FALSE(api_key_id(issued.secret.substr(1)).has_value());
  EXPECT_FALSE(api_key_id("nok_XYZ3040506070809_" + std::string(43, 'a')).has_value());
  EXPECT_FALSE(api_key_id("").has_value());
}

TEST(ApiKey, ValidatesNameAndPlan) {
  EXPECT_THROW(issue_api_key("", std::nullopt, std::nullopt, 1, counting_bytes), std::invalid_argument);
  EXPECT_THROW(issue_api_key(std::string(201, 'n'), std::nullopt, std::nullopt, 1, counting_bytes),
               std::invalid_argument);
  EXPECT_THROW(issue_api_key("x", 0.0, std::nullopt, 1, counting_bytes), std::invalid_argument);
  EXPECT_THROW(issue_api_key("x", -1.0, std::nullopt, 1, counting_bytes), std::invalid_argument);
  EXPECT_THROW(issue_api_key("x", 1.0, 0.5, 1, counting_bytes), std::invalid_argument);
}

TEST(ApiKey, ValidationNamesEachBadField) {
  EXPECT_TRUE(validate_api_key("x", 1e6, 1e6).empty());
  EXPECT_TRUE(validate_api_key(std::string(200, 'n'), 0.001, 1).empty());
  const auto errors = validate_api_key("", 1e6 + 1, 0.5);
  ASSERT_EQ(errors.size(), 3U);
  EXPECT_EQ(errors[0].field, "name");
  EXPECT_EQ(errors[1].field, "rate");
  EXPECT_EQ(errors[2].field, "burst");
  EXPECT_EQ(validate_api_key("x", std::nullopt, 1e6 + 1).at(0).field, "burst");
}

}  // namespace
}  // namespace ninja::domain
