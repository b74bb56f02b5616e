#include "events/sns/bus_setup.hpp"

#include <boost/json/serialize.hpp>

#include <stdexcept>

#include "aws/xml_text.hpp"
#include "events/sns/setup_documents.hpp"
#include "events/sns/xml_members.hpp"
#include "util/completion.hpp"

namespace ninja::events::sns {
namespace {

namespace json = boost::json;
using Attributes = std::vector<std::pair<std::string, std::string>>;

json::value sqs_call(aws::AwsClient& client, const std::string& target, const json::value& body) {
  return util::await_result<json::value>(
      [&](auto done) { client.call_json(target, json::serialize(body), std::move(done)); });
}

std::string sns_call(aws::AwsClient& client, const std::string& action, aws::FormParams params) {
  return util::await_result<std::string>(
      [&](auto done) { client.call_form(action, std::move(params), std::move(done)); });
}

std::string element(const std::string& xml, std::string_view tag, const std::string& action) {
  auto text = aws::xml_element_text(xml, tag);
  if (!text || text->empty()) throw std::runtime_error("sns " + action + ": the answer has no " + std::string(tag));
  return *text;
}

std::string string_field(const json::value& answer, std::string_view name, const std::string& target) {
  const auto* object = answer.if_object();
  const auto* field = object == nullptr ? nullptr : object->if_contains(name);
  if (field == nullptr || !field->is_string()) {
    throw std::runtime_error("sqs " + target + ": the answer has no " + std::string(name));
  }
  return std::string(field->as_string());
}

json::object attribute_object(const Attributes& attributes) {
  json::object object;
  for (const auto& [name, value] : attributes) object[name] = value;
  return object;
}

bool queue_missing(const aws::AwsError& e) {
  // The JSON protocol's name, and the Query protocol's older one that some endpoints still send.
  return e.type() == "QueueDoesNotExist" || e.type() == "AWS.SimpleQueueService.NonExistentQueue";
}

// The queue's URL, after creating it or bringing its attributes up to date.
std::string ensure_queue(aws::AwsClient& sqs, const std::string& name, const Attributes& attributes) {
  try {
    const std::string url = string_field(sqs_call(sqs, "AmazonSQS.GetQueueUrl", json::object{{"QueueName", name}}),
                                         "QueueUrl", "GetQueueUrl");
    sqs_call(sqs, "AmazonSQS.SetQueueAttributes",
             json::object{{"QueueUrl", url}, {"Attributes", attribute_object(attributes)}});
    return url;
  } catch (const aws::AwsError& e) {
    if (!queue_missing(e)) throw;
  }
  Attributes creation = attributes;
  creation.emplace_back("FifoQueue", "true");  // only at creation: SQS cannot turn a queue into FIFO later
  // Two processes creating it at once both succeed: the attributes are the same.
  return string_field(sqs_call(sqs, "AmazonSQS.CreateQueue",
                               json::object{{"QueueName", name}, {"Attributes", attribute_object(creation)}}),
                      "QueueUrl", "CreateQueue");
}

std::string queue_arn(aws::AwsClient& sqs, const std::string& url) {
  const auto answer = sqs_call(sqs, "AmazonSQS.GetQueueAttributes",
                               json::object{{"QueueUrl", url}, {"AttributeNames", json::array{"QueueArn"}}});
  const auto* attributes = answer.is_object() ? answer.as_object().if_contains("Attributes") : nullptr;
  if (attributes == nullptr || !attributes->is_object()) {
    throw std::runtime_error("sqs GetQueueAttributes: the answer has no Attributes");
  }
  return string_field(*attributes, "QueueArn", "GetQueueAttributes");
}

// The ARN of the topic's subscription that delivers to `endpoint`, or "" when there is none.
std::string find_subscription(aws::AwsClient& sns, const std::string& topic_arn, const std::string& endpoint) {
  std::string next;
  for (;;) {
    aws::FormParams params{{"TopicArn", topic_arn}};
    if (!next.empty()) params.emplace_back("NextToken", next);
    const std::string xml = sns_call(sns, "ListSubscriptionsByTopic", std::move(params));
    for (const auto member : xml_members(xml, "Subscriptions")) {
      if (aws::xml_element_text(member, "Endpoint") == endpoint && aws::xml_element_text(member, "Protocol") == "sqs") {
        return aws::xml_element_text(member, "SubscriptionArn").value_or("");
      }
    }
    next = aws::xml_element_text(xml, "NextToken").value_or("");
    if (next.empty()) return "";
  }
}

}  // namespace

std::string ensure_topic(aws::AwsClient& sns, const std::string& name) {
  aws::FormParams params{{"Name", name}};
  // Deduplication by the event id the publisher sets, never by content: two events may look alike.
  append_map(params, "Attributes", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "false"}});
  return element(sns_call(sns, "CreateTopic", std::move(params)), "TopicArn", "CreateTopic");
}

ConsumerQueue ensure_consumer_queue(aws::AwsClient& sns, aws::AwsClient& sqs, const std::string& topic_arn,
                                    const std::string& queue_name, const std::string& dead_letter_queue_name,
                                    const std::vector<std::string>& types, const QueueSettings& settings) {
  if (types.empty()) throw std::invalid_argument("a consumer queue needs at least one event type");
  if (settings.max_receives < 1) throw std::invalid_argument("max_receives must be at least 1");
  ConsumerQueue queue;
  const std::string retention = std::to_string(settings.retention.count());
  queue.dead_letter_url = ensure_queue(sqs, dead_letter_queue_name, {{"MessageRetentionPeriod", retention}});
  queue.dead_letter_arn = queue_arn(sqs, queue.dead_letter_url);
  // The queue's ARN is only known once it exists; its policy names it, so that comes second.
  queue.url = ensure_queue(sqs, queue_name,
                           {{"MessageRetentionPeriod", retention},
                            {"VisibilityTimeout", std::to_string(settings.visibility.count())},
                            {"RedrivePolicy", redrive_policy(queue.dead_letter_arn, settings.max_receives)}});
  queue.arn = queue_arn(sqs, queue.url);
  sqs_call(sqs, "AmazonSQS.SetQueueAttributes",
           json::object{{"QueueUrl", queue.url}, {"Attributes", {{"Policy", queue_policy(queue.arn, topic_arn)}}}});

  const Attributes subscription{{"RawMessageDelivery", "true"}, {"FilterPolicy", filter_policy(types)}};
  queue.subscription_arn = find_subscription(sns, topic_arn, queue.arn);
  if (queue.subscription_arn.empty()) {
    aws::FormParams params{
        {"TopicArn", topic_arn}, {"Protocol", "sqs"}, {"Endpoint", queue.arn}, {"ReturnSubscriptionArn", "true"}};
    append_map(params, "Attributes", subscription);
    queue.subscription_arn = element(sns_call(sns, "Subscribe", std::move(params)), "SubscriptionArn", "Subscribe");
  } else {
    // The types may have changed since it was made (a new release subscribing to more).
    for (const auto& [name, value] : subscription) {
      sns_call(sns, "SetSubscriptionAttributes",
               {{"SubscriptionArn", queue.subscription_arn}, {"AttributeName", name}, {"AttributeValue", value}});
    }
  }
  return queue;
}

}  // namespace ninja::events::sns
