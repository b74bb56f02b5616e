#include <gtest/gtest.h>

#include <set>

#include "util/crypto.hpp"

namespace ninja::util {
namespace {

TEST(Sha256Hex, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Hex, HandlesEmbeddedNulBytes) {
  EXPECT_NE(sha256_hex(std::string_view("a\0b", 3)), sha256_hex("a"));
  EXPECT_EQ(sha256_hex(std::string_view("a\0b", 3)).size(), 64u);
}

TEST(RandomBytes, ReturnsRequestedCountAndDiffers) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(32).size(), 32u);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(random_bytes(16));
  EXPECT_EQ(seen.size(), 50u);
}

}  // namespace
}  // namespace ninja::util
