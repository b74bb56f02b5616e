// NatsAddress and NatsConnection's failures, without a server: URL parsing, the names derived from
// the prefix, redaction, and a clear Unavailable for a port nobody listens on.
#include <gtest/gtest.h>

#include "events/nats/nats_address.hpp"
#include "events/nats/nats_connection.hpp"
#include "events/nats/nats_error.hpp"
#include "nats_test_support.hpp"

namespace ninja::contract {
namespace {

using events::nats::NatsAddress;
using namespace nats_support;

TEST(NatsAddress, WithoutAPrefixNamesAreTheBareOnes) {
  const auto address = NatsAddress::parse("nats://127.0.0.1:4222");
  EXPECT_EQ(address.servers(), "nats://127.0.0.1:4222");
  EXPECT_EQ(address.prefix(), "");
  EXPECT_EQ(address.subject("ninja.order.created"), "ninja.order.created");
  EXPECT_EQ(address.all_subjects(), "ninja.>");
  EXPECT_EQ(address.stream_name(), "ninja");
  EXPECT_EQ(address.durable_name("notifier"), "notifier");
}

TEST(NatsAddress, APrefixNamesSubjectsStreamAndConsumers) {
  const auto address = NatsAddress::parse("nats://nats.internal:4222?prefix=acme_prod");
  EXPECT_EQ(address.servers(), "nats://nats.internal:4222");
  EXPECT_EQ(address.subject("ninja.order.created"), "acme_prod.ninja.order.created");
  EXPECT_EQ(address.all_subjects(), "acme_prod.ninja.>");
  EXPECT_EQ(address.stream_name(), "acme_prod-ninja");
  EXPECT_EQ(address.durable_name("notifier"), "acme_prod-notifier");
}

TEST(NatsAddress, APrefixMayBeWrittenWithItsDot) {
  const auto address = NatsAddress::parse("nats://a:4222?prefix=acme.");
  EXPECT_EQ(address.prefix(), "acme");
  EXPECT_EQ(address.subject("ninja.order.created"), "acme.ninja.order.created");
  EXPECT_THROW(NatsAddress::parse("nats://a:4222?prefix=."), std::invalid_argument);
  EXPECT_THROW(NatsAddress::parse("nats://a:4222?prefix=acme.."), std::invalid_argument);
}

TEST(NatsAddress, SeveralServersAndTlsAreKept) {
  const auto address = NatsAddress::parse("nats://a:4222,tls://b:4443?prefix=x");
  EXPECT_EQ(address.servers(), "nats://a:4222,tls://b:4443");
  EXPECT_EQ(address.prefix(), "x");
}

TEST(NatsAddress, CredentialsAreKeptForTheLibraryButRedactedForLogs) {
  const auto address = NatsAddress::parse("nats://app:s3cret@a:4222,nats://tok3n@b:4222");
  EXPECT_EQ(address.servers(), "nats://app:s3cret@a:4222,nats://tok3n@b:4222");
  EXPECT_EQ(address.redacted(), "nats://app:***@a:4222,nats://***@b:4222");
}

TEST(NatsAddress, MalformedUrlsAreRefusedWithoutShowingThePassword) {
  for (const char* url :
       {"", "127.0.0.1:4222", "http://a:4222", "nats://", "nats://:4222", "nats://a:4222/path",
        "nats://a:4222?prefix=", "nats://a:4222?prefix=a.b", "nats://a:4222?prefix=a*", "nats://a:4222?prefix=>",
        "nats://a:4222?stream=x", "nats://u:pw@a:4222?bogus=1", "nats://a:4222,", "nats://a:4222?replicas=0",
        "nats://a:4222?replicas=6", "nats://a:4222?replicas=3x", "nats://u:pw@a:4222?replicas="}) {
    try {
      NatsAddress::parse(url);
      ADD_FAILURE() << url << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find("pw@"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(NatsAddress::parse("nats://a:4222?prefix=" + std::string(65, 'p')), std::invalid_argument);
}

TEST(NatsAddress, ReplicasDefaultToOneAndMayBeSet) {
  EXPECT_EQ(NatsAddress::parse("nats://a:4222").replicas(), 1);
  const auto clustered = NatsAddress::parse("nats://a:4222,nats://b:4222,nats://c:4222?prefix=acme&replicas=3");
  EXPECT_EQ(clustered.replicas(), 3);
  EXPECT_EQ(clustered.prefix(), "acme");
}

TEST(NatsAddress, ConsumerNamesMustBeOneToken) {
  const auto address = NatsAddress::parse("nats://a:4222");
  EXPECT_THROW(address.durable_name(""), std::invalid_argument);
  EXPECT_THROW(address.durable_name("a.b"), std::invalid_argument);
  EXPECT_THROW(address.durable_name("a b"), std::invalid_argument);
}

TEST(NatsConnection, NobodyListeningIsUnavailableAtOnceAndNamesTheServerNotThePassword) {
  const int port = free_loopback_port();
  const auto address = NatsAddress::parse("nats://app:s3cret@127.0.0.1:" + std::to_string(port));
  const auto start = std::chrono::steady_clock::now();
  try {
    events::nats::NatsConnection connection(address, fast_reconnect(), quiet_logger());
    FAIL() << "connected to a closed port";
  } catch (const util::Unavailable& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

}  // namespace
}  // namespace ninja::contract
