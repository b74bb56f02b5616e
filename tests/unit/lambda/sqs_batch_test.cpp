// SQS events from Lambda's event source mapping, and the partial batch response.
#include "lambda/sqs_batch.hpp"

#include <gtest/gtest.h>

#include "lambda/invocation.hpp"

namespace ninja::lambda {
namespace {

std::string record(const std::string& message_id, const std::string& group, const std::string& event_id,
                   bool with_attributes = true) {
  std::string attributes =
      with_attributes
          ? R"("event_id":{"stringValue":")" + event_id +
                R"(","dataType":"String"},"event_type":{"stringValue":"ninja.order.created","dataType":"String"},"event_subject":{"stringValue":"o-)" +
                group + R"(","dataType":"String"},"event_time_ms":{"stringValue":"1764633600000","dataType":"Number"})"
          : "";
  return R"({"messageId":")" + message_id + R"(","receiptHandle":"rh","body":"{\"id\":\")" + event_id +
         R"(\"}","attributes":{"ApproximateReceiveCount":"1","MessageGroupId":"o-)" + group +
         R"("},"messageAttributes":{)" + attributes +
         R"(},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:ninja-notifier.fifo"})";
}

TEST(SqsBatch, RecordsBecomeEventsFromTheBodyAndTheMessageAttributes) {
  const auto records = decode_sqs_batch(R"({"Records":[)" + record("m1", "a", "e1") + "]}");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message_id, "m1");
  EXPECT_EQ(records[0].group_id, "o-a");
  ASSERT_TRUE(records[0].event.has_value()) << records[0].why;
  EXPECT_EQ(records[0].event->id, "e1");
  EXPECT_EQ(records[0].event->type, "ninja.order.created");
  EXPECT_EQ(records[0].event->subject, "o-a");
  EXPECT_EQ(records[0].event->time_ms, 1764633600000);
  EXPECT_EQ(records[0].event->payload, R"({"id":"e1"})");
}

TEST(SqsBatch, AMessageWithoutOurAttributesIsNotAnEventButTheBatchStillDecodes) {
  const auto records =
      decode_sqs_batch(R"({"Records":[)" + record("m1", "a", "e1", false) + "," + record("m2", "b", "e2") + "]}");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].event.has_value());
  EXPECT_FALSE(records[0].why.empty());
  EXPECT_TRUE(records[1].event.has_value());
}

TEST(SqsBatch, WhatIsNoSqsEventIsABadEvent) {
  for (const char* event : {"nope", R"({"Records":{}})", R"({"Records":[{"eventSource":"aws:dynamodb"}]})",
                            R"({"Records":[{"eventSource":"aws:sqs"}]})"}) {
    try {
      decode_sqs_batch(event);
      ADD_FAILURE() << "accepted: " << event;
    } catch (const InvocationError& e) {
      EXPECT_EQ(e.type(), kBadEvent);
    }
  }
}

TEST(SqsBatch, AFailureRetriesTheLaterMessagesOfItsGroupOnly) {
  const auto records =
      decode_sqs_batch(R"({"Records":[)" + record("m1", "a", "e1") + "," + record("m2", "b", "e2") + "," +
                       record("m3", "a", "e3") + "," + record("m4", "b", "e4") + "," + record("m5", "c", "e5") + "]}");
  // m2 (group b) failed: m4, later in b, goes again with it; a and c are done.
  EXPECT_EQ(items_to_retry(records, {false, true, false, false, false}), (std::vector<std::string>{"m2", "m4"}));
  EXPECT_TRUE(items_to_retry(records, {false, false, false, false, false}).empty());
  // An earlier message of a failed group is not retried: it was done before the failure.
  EXPECT_EQ(items_to_retry(records, {false, false, true, false, false}), std::vector<std::string>{"m3"});
}

TEST(SqsBatch, OnAStandardQueueOnlyTheFailedMessagesGoAgain) {
  std::vector<QueueRecord> records(3);
  records[0].message_id = "m1";
  records[1].message_id = "m2";
  records[2].message_id = "m3";
  EXPECT_EQ(items_to_retry(records, {true, false, false}), std::vector<std::string>{"m1"});
}

TEST(SqsBatch, TheResponseNamesEachMessageToRetry) {
  EXPECT_EQ(batch_item_failures({}), R"({"batchItemFailures":[]})");
  EXPECT_EQ(batch_item_failures({"m2", "m4"}),
            R"({"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m4"}]})");
}

}  // namespace
}  // namespace ninja::lambda
