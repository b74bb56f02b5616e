// sns://REGION?endpoint=URL&prefix=P and the names of the topic and queues it leads to.
#include <gtest/gtest.h>

#include <stdexcept>

#include "events/sns/sns_address.hpp"

namespace ninja::events::sns {
namespace {

TEST(SnsAddress, RegionEndpointAndPrefix) {
  const auto address = SnsAddress::parse("sns://eu-west-1?endpoint=http://127.0.0.1:5000&prefix=acme-");
  EXPECT_EQ(address.region(), "eu-west-1");
  ASSERT_TRUE(address.endpoint());
  EXPECT_EQ(*address.endpoint(), "http://127.0.0.1:5000");
  EXPECT_EQ(address.prefix(), "acme-");
  EXPECT_EQ(address.topic_name(), "acme-ninja-events.fifo");
  EXPECT_EQ(address.queue_name("notifier"), "acme-ninja-notifier.fifo");
  EXPECT_EQ(address.dead_letter_queue_name("notifier"), "acme-ninja-notifier-dlq.fifo");
}

TEST(SnsAddress, RegionAndEndpointMayBeLeftOut) {
  const auto address = SnsAddress::parse("sns://");
  EXPECT_EQ(address.region(), "");
  EXPECT_FALSE(address.endpoint());
  EXPECT_EQ(address.topic_name(), "ninja-events.fifo");
  EXPECT_EQ(SnsAddress::parse("sns://us-east-1").queue_name("n_1"), "ninja-n_1.fifo");
}

TEST(SnsAddress, AnEncodedEndpointIsDecoded) {
  const auto address = SnsAddress::parse("sns://us-east-1?endpoint=http%3A%2F%2Flocalhost%3A4566%2F");
  ASSERT_TRUE(address.endpoint());
  EXPECT_EQ(*address.endpoint(), "http://localhost:4566/");
}

TEST(SnsAddress, RefusesWhatCannotNameAwsResources) {
  for (const char* url :
       {"nats://127.0.0.1:4222", "sns://us-east-1:443", "sns://user:secret@us-east-1", "sns://us-east-1/path",
        "sns://us-east-1?prefix=a.b", "sns://us-east-1?prefix=a%20b", "sns://us-east-1?queue=x", "not a url"}) {
    EXPECT_THROW(SnsAddress::parse(url), std::invalid_argument) << url;
  }
}

TEST(SnsAddress, ConsumerNamesMustFitAQueueName) {
  const auto address = SnsAddress::parse("sns://us-east-1?prefix=p");
  EXPECT_THROW(address.queue_name(""), std::invalid_argument);
  EXPECT_THROW(address.queue_name("no.dots"), std::invalid_argument);
  EXPECT_THROW(address.queue_name(std::string(80, 'x')), std::invalid_argument);
  // The longest that fits: the dead-letter queue's name is then exactly 80 characters.
  const std::string longest(80 - std::string("pninja--dlq.fifo").size(), 'x');
  EXPECT_EQ(address.dead_letter_queue_name(longest).size(), 80u);
  EXPECT_THROW(address.queue_name(longest + "x"), std::invalid_argument);
}

}  // namespace
}  // namespace ninja::events::sns

namespace ninja::events::sns {
namespace {

TEST(SnsAddressTopicArn, ATopicMadeElsewhereIsTakenAsItIs) {
  const auto address = SnsAddress::parse(
      "sns://eu-west-1?prefix=acme-&topic_arn=arn:aws:sns:eu-west-1:123456789012:acme-ninja-events.fifo");
  ASSERT_TRUE(address.topic_arn().has_value());
  EXPECT_EQ(*address.topic_arn(), "arn:aws:sns:eu-west-1:123456789012:acme-ninja-events.fifo");
  EXPECT_FALSE(SnsAddress::parse("sns://eu-west-1").topic_arn().has_value());
}

TEST(SnsAddressTopicArn, AnArnOfAnotherTopicIsRefused) {
  for (const char* url : {"sns://eu-west-1?prefix=acme-&topic_arn=arn:aws:sns:eu-west-1:1:other-ninja-events.fifo",
                          "sns://eu-west-1?topic_arn=ninja-events.fifo", "sns://eu-west-1?topic_arn="}) {
    EXPECT_THROW(SnsAddress::parse(url), std::invalid_argument) << url;
  }
}

}  // namespace
}  // namespace ninja::events::sns
