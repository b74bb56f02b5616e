#include <gtest/gtest.h>

#include "util/redact.hpp"

namespace ninja::util {
namespace {

TEST(RedactCredentials, MasksTheUserinfoPassword) {
  EXPECT_EQ(redact_credentials("postgres://ninja:s3cret@db.internal:5432/orders"),
            "postgres://ninja:***@db.internal:5432/orders");
  EXPECT_EQ(redact_credentials("postgresql://u:p%40ss:w@h/db?sslmode=require"),
            "postgresql://u:***@h/db?sslmode=require");
  EXPECT_EQ(redact_credentials("nats://token:abc@127.0.0.1:4222"), "nats://token:***@127.0.0.1:4222");
  EXPECT_EQ(redact_credentials("nats://s3cr3t-token@127.0.0.1:4222?prefix=a"), "nats://***@127.0.0.1:4222?prefix=a");
  EXPECT_EQ(redact_credentials("tls://s3cr3t@nats.internal:4222"), "tls://***@nats.internal:4222");
}

TEST(RedactCredentials, MasksPasswordParametersAndKeywords) {
  EXPECT_EQ(redact_credentials("postgres://h/db?user=u&password=s3cret&sslmode=disable"),
            "postgres://h/db?user=u&password=***&sslmode=disable");
  EXPECT_EQ(redact_credentials("host=h dbname=d password=s3cret user=u"), "host=h dbname=d password=*** user=u");
  EXPECT_EQ(redact_credentials("host=h PASSWORD = 'it\\'s secret' user=u"), "host=h PASSWORD = *** user=u");
}

TEST(RedactCredentials, LeavesUrlsWithoutSecretsAlone) {
  for (const char* url : {"sqlite:ninja-orders.db", "sqlite:///var/lib/x@y.db", "postgres://ninja@h/db",
                          "postgres://h/db?passwordless=1", "inproc", "nats://127.0.0.1:4222?prefix=a"}) {
    EXPECT_EQ(redact_credentials(url), url);
  }
}

}  // namespace
}  // namespace ninja::util
