#include "notify/webhook_signature.hpp"

#include <gtest/gtest.h>

namespace ninja::notify {
namespace {

// The test vector published with the Standard Webhooks reference libraries.
TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
  const auto signature = sign_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                      1614265330, R"({"test": 2432232314})");
  ASSERT_TRUE(signature.has_value());
  EXPECT_EQ(*signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, ChangesWithEverySignedPart) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const auto base = sign_webhook(secret, "id", 1, "body");
  EXPECT_NE(base, sign_webhook(secret, "id2", 1, "body"));
  EXPECT_NE(base, sign_webhook(secret, "id", 2, "body"));
  EXPECT_NE(base, sign_webhook(secret, "id", 1, "body2"));
  EXPECT_NE(base, sign_webhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "id", 1, "body"));
}

TEST(WebhookSignature, RefusesMalformedSecrets) {
  EXPECT_FALSE(sign_webhook("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id", 1, "b").has_value());
  EXPECT_FALSE(sign_webhook("whsec_", "id", 1, "b").has_value());
  EXPECT_FALSE(sign_webhook("whsec_not*base64", "id", 1, "b").has_value());
}

}  // namespace
}  // namespace ninja::notify
