// The relay function's triggers: DynamoDB Streams batches, the scheduled sweep, the EMF lag line.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "lambda/invocation.hpp"
#include "lambda/relay_handler.hpp"
#include "lambda/scheduled_task.hpp"

namespace ninja::lambda {
namespace {

TEST(RelayTrigger, TheSubjectsOfTheInsertsOfAStreamBatchEachOnce) {
  const char* event = R"({"Records":[
    {"eventID":"1","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"subject":{"S":"o1"},"id":{"S":"e1"}},"SequenceNumber":"100","StreamViewType":"KEYS_ONLY"}},
    {"eventID":"2","eventName":"MODIFY","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"subject":{"S":"o9"},"id":{"S":"e1"}}}},
    {"eventID":"3","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"subject":{"S":"o2"},"id":{"S":"e2"}}}},
    {"eventID":"4","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"subject":{"S":"o1"},"id":{"S":"e3"}}}}]})";
  EXPECT_EQ(stream_insert_subjects(event), (std::vector<std::string>{"o1", "o2"}));
  EXPECT_TRUE(stream_insert_subjects(R"({"Records":[]})").empty());
}

TEST(RelayTrigger, WhatIsNoStreamBatchIsABadEvent) {
  for (const char* event : {"[]", R"({"ninja":"sweap"})", R"({"Records":[{"eventSource":"aws:sqs"}]})",
                            R"({"Records":[{"eventSource":"aws:dynamodb","eventName":"INSERT","dynamodb":{}}]})"}) {
    try {
      stream_insert_subjects(event);
      ADD_FAILURE() << "accepted: " << event;
    } catch (const InvocationError& e) {
      EXPECT_EQ(e.type(), kBadEvent);
    }
  }
}

TEST(RelayTrigger, ScheduledTasksAreRecognisedByName) {
  EXPECT_TRUE(is_scheduled_task(R"({"ninja":"sweep"})", "sweep"));
  EXPECT_TRUE(is_scheduled_task(R"({"ninja":"retry-due","source":"aws.scheduler"})", "retry-due"));
  EXPECT_FALSE(is_scheduled_task(R"({"ninja":"sweep"})", "retry-due"));
  EXPECT_FALSE(is_scheduled_task(R"({"ninja":1})", "sweep"));
  EXPECT_FALSE(is_scheduled_task("not json", "sweep"));
}

TEST(RelayTrigger, TheLagIsAnEmbeddedMetricFormatLine) {
  const auto doc = boost::json::parse(outbox_lag_metric(3.25, 1764633600123)).as_object();
  const auto& aws = doc.at("_aws").as_object();
  EXPECT_EQ(aws.at("Timestamp").as_int64(), 1764633600123);
  const auto& directive = aws.at("CloudWatchMetrics").as_array().at(0).as_object();
  EXPECT_EQ(directive.at("Namespace").as_string(), "NinjaOrders");
  EXPECT_EQ(directive.at("Metrics").as_array().at(0).as_object().at("Name").as_string(),
            "OutboxOldestPendingAgeSeconds");
  EXPECT_EQ(directive.at("Metrics").as_array().at(0).as_object().at("Unit").as_string(), "Seconds");
  EXPECT_DOUBLE_EQ(doc.at("OutboxOldestPendingAgeSeconds").to_number<double>(), 3.25);
}

}  // namespace
}  // namespace ninja::lambda
