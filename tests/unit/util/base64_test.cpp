#include <gtest/gtest.h>

#include <string>

#include "util/base64.hpp"

namespace ninja::util {
namespace {

struct Vector {
  std::string bytes;
  std::string standard;
  std::string url;
};

// RFC 4648 §10 test vectors.
const Vector kVectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(base64_encode(v.bytes), v.standard) << v.bytes;
    EXPECT_EQ(base64url_encode(v.bytes), v.url) << v.bytes;
  }
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(base64_decode(v.standard), v.bytes) << v.standard;
    EXPECT_EQ(base64url_decode(v.url), v.bytes) << v.url;
  }
}

TEST(Base64, AlphabetsDifferInTheLastTwoCharacters) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(base64_decode("+/+/"), bytes);
  EXPECT_EQ(base64url_decode("-_-_"), bytes);
  EXPECT_EQ(base64_decode("-_-_"), std::nullopt);
  EXPECT_EQ(base64url_decode("+/+/"), std::nullopt);
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); len += 37) {
    const std::string part = all.substr(0, len);
    EXPECT_EQ(base64_decode(base64_encode(part)), part) << len;
    EXPECT_EQ(base64url_decode(base64url_encode(part)), part) << len;
  }
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
  EXPECT_EQ(base64url_decode(base64url_encode(all)), all);
}

TEST(Base64, WebhookSecretSizedInputEncodesTo44Characters) {
  const std::string secret(32, '\x5a');
  const std::string encoded = base64_encode(secret);
  EXPECT_EQ(encoded.size(), 44u);
  EXPECT_EQ(encoded.back(), '=');
}

TEST(Base64, StandardDecoderRejectsMalformedInput) {
  for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "=Zg=", "Zm9v====", "Zm 9", "Zm9\n", "Zm9v!A==", "Zh==",
                          "Zm9=", "====", "="}) {
    EXPECT_EQ(base64_decode(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(Base64, UrlDecoderRejectsMalformedInput) {
  for (const char* bad : {"Zg==", "Zm9vY", "Z", "Zh", "Zm9", "Zm 9", "Zm9v.", "Zm+v", "Zm/v"}) {
    EXPECT_EQ(base64url_decode(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(Base64, NonZeroPaddingBitsAreRejectedSoEncodingIsUnique) {
  // "Zg" and "Zh" differ only in bits that do not reach a whole byte.
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9="), std::nullopt);
}

}  // namespace
}  // namespace ninja::util
