#pragma once
// `--bus sns://REGION?endpoint=URL&prefix=P`: the region (empty: AWS_REGION), an endpoint that
// replaces AWS's public ones for both SNS and SQS (moto's http://127.0.0.1:PORT, say) and the
// prefix that keeps several deployments apart in one account. Every name in AWS derives from the
// prefix: the FIFO topic `<P>ninja-events.fifo`, a consumer's FIFO queue `<P>ninja-<consumer>.fifo`
// and its dead-letter queue `<P>ninja-<consumer>-dlq.fifo`. FIFO, so that the events of one entity
// (one MessageGroupId) reach a consumer in the order they were committed. `topic_arn=ARN` names a
// topic someone else made (a CloudFormation stack): the bus then takes it as it is and makes no
// CreateTopic call, so a publisher needs no more than sns:Publish.
#include <optional>
#include <string>
#include <string_view>

namespace ninja::events::sns {

class SnsAddress {
 public:
  // Throws std::invalid_argument naming what is wrong: another scheme, an unknown parameter, a
  // prefix that cannot be part of a topic or queue name (letters, digits, '-', '_' only).
  static SnsAddress parse(std::string_view url);

  const std::string& region() const { return region_; }  // "" when the URL names none
  const std::optional<std::string>& endpoint() const { return endpoint_; }
  const std::string& prefix() const { return prefix_; }
  const std::optional<std::string>& topic_arn() const { return topic_arn_; }

  std::string topic_name() const;
  // Throw std::invalid_argument unless `consumer` is a non-empty name of letters, digits, '-' and
  // '_' that keeps the queue names within SQS's 80 characters.
  std::string queue_name(std::string_view consumer) const;
  std::string dead_letter_queue_name(std::string_view consumer) const;

 private:
  std::string region_;
  std::optional<std::string> endpoint_;
  std::string prefix_;
  std::optional<std::string> topic_arn_;
};

}  // namespace ninja::events::sns
