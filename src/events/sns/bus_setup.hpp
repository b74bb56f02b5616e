#pragma once
// What the SNS bus needs in AWS, created when missing and brought up to date when present, so
// that running it again (every `serve`, every `migrate`) changes nothing: the FIFO topic, and per
// consumer a FIFO queue subscribed to the topic with raw delivery and a filter policy on the
// event type, plus its FIFO dead-letter queue with the redrive policy that sends a message there
// once it has been received max_receives times without being deleted (a poison message).
//
// These calls block the calling thread until AWS answered (they run at start and at subscribe()),
// so never call them on the clients' event loop. They throw what the clients report: aws::AwsError
// for a refusal, aws::AwsUnavailable when AWS cannot be reached.
#include <chrono>
#include <string>
#include <vector>

#include "aws/aws_client.hpp"

namespace ninja::events::sns {

struct QueueSettings {
  int max_receives = 5;                        // receives before a message moves to the dead-letter queue
  std::chrono::seconds visibility{30};         // the queue's default; the consumer asks for its own
  std::chrono::seconds retention{14 * 86400};  // SQS's longest: a consumer down for days loses nothing
};

struct ConsumerQueue {
  std::string url;
  std::string arn;
  std::string dead_letter_url;
  std::string dead_letter_arn;
  std::string subscription_arn;
};

// Returns the topic's ARN.
std::string ensure_topic(aws::AwsClient& sns, const std::string& name);

ConsumerQueue ensure_consumer_queue(aws::AwsClient& sns, aws::AwsClient& sqs, const std::string& topic_arn,
                                    const std::string& queue_name, const std::string& dead_letter_queue_name,
                                    const std::vector<std::string>& types, const QueueSettings& settings);

}  // namespace ninja::events::sns
