// The PublishBatch side of the SNS bus without a server: events as FIFO messages with their
// attributes, the split into batches SNS takes, and one result per entry from SNS's XML answer.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "aws/aws_error.hpp"
#include "events/sns/event_message.hpp"
#include "events/sns/publish_batch.hpp"
#include "events/sns/xml_members.hpp"

namespace ninja::events::sns {
namespace {

Event event(const std::string& id, const std::string& subject = "order-1", size_t payload = 20) {
  return {id, std::string(kOrderCreated), subject, 1700000000123, std::string(payload, 'p')};
}

std::map<std::string, std::string> as_map(const aws::FormParams& params) {
  std::map<std::string, std::string> map;
  for (const auto& [name, value] : params) map[name] = value;
  return map;
}

std::string error_type(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const aws::AwsError& e) {
    return e.type() + (e.retryable() ? "/retryable" : "/final");
  } catch (const std::exception& e) {
    return std::string("other: ") + e.what();
  }
}

TEST(SnsPublishBatch, AnEntryCarriesGroupDeduplicationAndEventAttributes) {
  const std::vector<Event> events{event("e-1", "order-7"), event("e-2", "order-8")};
  const auto params = as_map(publish_batch_params("arn:topic", events, {0, 1}));
  EXPECT_EQ(params.at("TopicArn"), "arn:topic");
  const std::string second = "PublishBatchRequestEntries.member.2.";
  EXPECT_EQ(params.at(second + "Id"), "1");
  EXPECT_EQ(params.at(second + "Message"), events[1].payload);
  EXPECT_EQ(params.at(second + "MessageGroupId"), "order-8");
  EXPECT_EQ(params.at(second + "MessageDeduplicationId"), "e-2");
  std::map<std::string, std::pair<std::string, std::string>> attributes;
  for (int n = 1; n <= 4; ++n) {
    const std::string entry = second + "MessageAttributes.entry." + std::to_string(n) + ".";
    attributes[params.at(entry + "Name")] = {params.at(entry + "Value.DataType"),
                                             params.at(entry + "Value.StringValue")};
  }
  EXPECT_EQ(attributes.at("event_id"), std::make_pair(std::string("String"), std::string("e-2")));
  EXPECT_EQ(attributes.at("event_type"), std::make_pair(std::string("String"), std::string(kOrderCreated)));
  EXPECT_EQ(attributes.at("event_subject"), std::make_pair(std::string("String"), std::string("order-8")));
  EXPECT_EQ(attributes.at("event_time_ms"), std::make_pair(std::string("Number"), std::string("1700000000123")));
}

TEST(SnsPublishBatch, TwentyFiveEventsMakeBatchesOfTenTenAndFiveInOrder) {
  std::vector<Event> events;
  for (int i = 0; i < 25; ++i) events.push_back(event("e" + std::to_string(i)));
  const auto plan = plan_batches(events, {});
  ASSERT_EQ(plan.batches.size(), 3u);
  EXPECT_EQ(plan.batches[0].size(), 10u);
  EXPECT_EQ(plan.batches[1].size(), 10u);
  EXPECT_EQ(plan.batches[2].size(), 5u);
  size_t expected = 0;
  for (const auto& batch : plan.batches) {
    for (const size_t index : batch) EXPECT_EQ(index, expected++);
  }
  EXPECT_TRUE(plan.refused.empty());
}

TEST(SnsPublishBatch, ABatchStaysWithinTheByteLimit) {
  const std::vector<Event> events{event("a", "s", 100'000), event("b", "s", 100'000), event("c", "s", 100'000)};
  const auto plan = plan_batches(events, {});
  ASSERT_EQ(plan.batches.size(), 2u);  // 200 kB fit in 256 KiB, 300 kB do not
  EXPECT_EQ(plan.batches[0], (std::vector<size_t>{0, 1}));
  EXPECT_EQ(plan.batches[1], (std::vector<size_t>{2}));
}

TEST(SnsPublishBatch, EventsSnsWouldRefuseAreNeverSent) {
  const std::vector<Event> events{event("ok-1"), event("big", "s", 262'144), event("", "s"),
                                  event("bad-subject", "with space"), event("ok-2")};
  const auto plan = plan_batches(events, {});
  ASSERT_EQ(plan.batches.size(), 1u);
  EXPECT_EQ(plan.batches[0], (std::vector<size_t>{0, 4}));
  ASSERT_EQ(plan.refused.size(), 3u);
  EXPECT_EQ(plan.refused[0].first, 1u);
  EXPECT_EQ(plan.refused[1].first, 2u);
  EXPECT_EQ(plan.refused[2].first, 3u);
  for (const auto& [index, error] : plan.refused) EXPECT_THROW(std::rethrow_exception(error), std::invalid_argument);
  EXPECT_GT(message_size(events[1]), 262'144u);  // the body alone fits; with its attributes it does not
}

TEST(SnsPublishBatch, OnlyTheFailedEntriesFail) {
  const std::string xml =
      "<PublishBatchResponse><PublishBatchResult><Successful>"
      "<member><Id>0</Id><MessageId>m0</MessageId></member>"
      "<member><Id>2</Id><MessageId>m2</MessageId></member></Successful>"
      "<Failed><member><Id>1</Id><Code>InternalError</Code><Message>try again</Message>"
      "<SenderFault>false</SenderFault></member>"
      "<member><Id>3</Id><Code>InvalidParameter</Code><Message>Message too long</Message>"
      "<SenderFault>true</SenderFault></member></Failed>"
      "</PublishBatchResult></PublishBatchResponse>";
  const auto results = publish_batch_results(xml, 5);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_FALSE(results[0]);
  EXPECT_EQ(error_type(results[1]), "InternalError/retryable");
  EXPECT_FALSE(results[2]);
  EXPECT_EQ(error_type(results[3]), "InvalidParameter/final");
  // moto drops an entry whose failure it does not know from both lists: not taken, so failed.
  EXPECT_EQ(error_type(results[4]), "NotAnswered/retryable");
}

TEST(SnsPublishBatch, AnAnswerWithoutListsFailsEveryEntry) {
  for (const char* xml : {"", "<PublishBatchResponse/>", "<Successful><member><Id>0</Id>",
                          "<Successful><member><Id>7</Id></member><member><Id>x</Id></member></Successful>"}) {
    const auto results = publish_batch_results(xml, 2);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0]) << xml;
    EXPECT_TRUE(results[1]) << xml;
  }
  const auto all_ok = publish_batch_results(
      "<Successful><member><Id>0</Id></member><member><Id>1</Id></member></Successful><Failed/>", 2);
  EXPECT_FALSE(all_ok[0]);
  EXPECT_FALSE(all_ok[1]);
}

TEST(SnsXmlMembers, TheMembersOfTheNamedListOnly) {
  const std::string xml = "<A><member>a1</member></A><B><member>b1</member><member></member><member>b3</member></B>";
  EXPECT_EQ(xml_members(xml, "B"), (std::vector<std::string_view>{"b1", "", "b3"}));
  EXPECT_EQ(xml_members(xml, "A"), (std::vector<std::string_view>{"a1"}));
  EXPECT_TRUE(xml_members(xml, "C").empty());
  EXPECT_TRUE(xml_members("<B/>", "B").empty());
  EXPECT_TRUE(xml_members("<B><member>open", "B").empty());
}

}  // namespace
}  // namespace ninja::events::sns
