// The SQS side of the SNS bus without a server: request bodies, events read back from
// ReceiveMessage's answer (and hostile messages that are not events), and the setup's documents.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "events/sns/setup_documents.hpp"
#include "events/sns/sqs_messages.hpp"

namespace ninja::events::sns {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object attribute(const std::string& value, const char* type = "String") {
  return {{"StringValue", value}, {"DataType", type}};
}

json::object our_message(const std::string& id, const std::string& receipt, const std::string& count) {
  return {{"MessageId", "m-" + id},
          {"ReceiptHandle", receipt},
          {"Body", R"({"id":")" + id + R"("})"},
          {"Attributes", {{"ApproximateReceiveCount", count}}},
          {"MessageAttributes",
           {{"event_id", attribute(id)},
            {"event_type", attribute("ninja.order.created")},
            {"event_subject", attribute("order-" + id)},
            {"event_time_ms", attribute("1700000000001", "Number")}}}};
}

TEST(SnsSqsMessages, ReceiveRequestAsksForTheEventAttributesAndTheReceiveCount) {
  const auto body = json::parse(receive_request("http://q", 10, 20s, 30s)).as_object();
  EXPECT_EQ(body.at("QueueUrl"), "http://q");
  EXPECT_EQ(body.at("MaxNumberOfMessages"), 10);
  EXPECT_EQ(body.at("WaitTimeSeconds"), 20);
  EXPECT_EQ(body.at("VisibilityTimeout"), 30);
  EXPECT_EQ(body.at("MessageAttributeNames"), json::array{"All"});
  EXPECT_EQ(body.at("MessageSystemAttributeNames"), json::array{"ApproximateReceiveCount"});
}

TEST(SnsSqsMessages, EventsComeBackIntactWithTheirReceiveCount) {
  const json::value answer{{"Messages", json::array{our_message("e1", "r1", "1"), our_message("e2", "r2", "4")}}};
  const auto messages = parse_receive_answer(answer);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].receipt_handle, "r2");
  EXPECT_EQ(messages[1].message_id, "m-e2");
  EXPECT_EQ(messages[1].receive_count, 4);
  ASSERT_TRUE(messages[1].event);
  EXPECT_EQ(messages[1].event->id, "e2");
  EXPECT_EQ(messages[1].event->type, "ninja.order.created");
  EXPECT_EQ(messages[1].event->subject, "order-e2");
  EXPECT_EQ(messages[1].event->time_ms, 1700000000001);
  EXPECT_EQ(messages[1].event->payload, R"({"id":"e2"})");
  EXPECT_TRUE(parse_receive_answer(json::object{}).empty());  // a long poll that found nothing
}

TEST(SnsSqsMessages, MessagesThatAreNotOursAreKeptWithTheReason) {
  auto no_attributes = our_message("x", "r1", "1");
  no_attributes.erase("MessageAttributes");
  auto bad_time = our_message("y", "r2", "1");
  bad_time["MessageAttributes"].as_object()["event_time_ms"] = attribute("12abc", "Number");
  auto not_string = our_message("z", "r3", "nonsense");
  not_string["MessageAttributes"].as_object()["event_id"] = json::object{{"BinaryValue", "AAE="}};
  auto no_receipt = our_message("w", "", "1");
  const json::value answer{{"Messages", json::array{no_attributes, bad_time, not_string, no_receipt, 42, "text"}}};
  const auto messages = parse_receive_answer(answer);
  ASSERT_EQ(messages.size(), 3u);  // a message without a receipt handle cannot be answered: left out
  for (const auto& message : messages) {
    EXPECT_FALSE(message.event) << message.receipt_handle;
    EXPECT_FALSE(message.why.empty());
  }
  EXPECT_EQ(messages[2].receive_count, 1);  // an unreadable count counts as the first receive
  EXPECT_THROW(parse_receive_answer(json::value("not an object")), std::runtime_error);
  EXPECT_THROW(parse_receive_answer(json::value{{"Messages", "x"}}), std::runtime_error);
}

TEST(SnsSqsMessages, BatchRequestsNumberTheirEntries) {
  const auto deletes = json::parse(delete_batch_request("http://q", {"r1", "r2"})).as_object();
  EXPECT_EQ(deletes.at("QueueUrl"), "http://q");
  EXPECT_EQ(deletes.at("Entries"),
            (json::array{{{"Id", "0"}, {"ReceiptHandle", "r1"}}, {{"Id", "1"}, {"ReceiptHandle", "r2"}}}));
  const auto visibility = json::parse(visibility_batch_request("http://q", {"r1"}, 7s)).as_object();
  EXPECT_EQ(visibility.at("Entries"), (json::array{{{"Id", "0"}, {"ReceiptHandle", "r1"}, {"VisibilityTimeout", 7}}}));
  EXPECT_EQ(failed_entries(json::value{{"Successful", json::array{}}, {"Failed", json::array{json::object{}}}}), 1u);
  EXPECT_EQ(failed_entries(json::object{}), 0u);
}

TEST(SnsSetupDocuments, FilterRedriveAndQueuePolicies) {
  EXPECT_EQ(json::parse(filter_policy({"ninja.user.created", "ninja.user.deleted"})),
            json::parse(R"({"event_type":["ninja.user.created","ninja.user.deleted"]})"));
  EXPECT_EQ(json::parse(redrive_policy("arn:dlq", 5)),
            json::parse(R"({"deadLetterTargetArn":"arn:dlq","maxReceiveCount":5})"));
  const auto policy = json::parse(queue_policy("arn:queue", "arn:topic"));
  const auto& statement = policy.at("Statement").as_array().at(0);
  EXPECT_EQ(statement.at("Principal").at("Service"), "sns.amazonaws.com");
  EXPECT_EQ(statement.at("Action"), "sqs:SendMessage");
  EXPECT_EQ(statement.at("Resource"), "arn:queue");
  EXPECT_EQ(statement.at("Condition").at("ArnEquals").at("aws:SourceArn"), "arn:topic");
  aws::FormParams params;
  append_map(params, "Attributes", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "false"}});
  EXPECT_EQ(params, (aws::FormParams{{"Attributes.entry.1.key", "FifoTopic"},
                                     {"Attributes.entry.1.value", "true"},
                                     {"Attributes.entry.2.key", "ContentBasedDeduplication"},
                                     {"Attributes.entry.2.value", "false"}}));
}

}  // namespace
}  // namespace ninja::events::sns
