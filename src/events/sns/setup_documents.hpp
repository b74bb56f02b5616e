#pragma once
// The JSON documents the bus's setup hands to SNS and SQS: the filter policy that gives a
// consumer's queue only the event types it subscribed to, the redrive policy that moves a message
// received too often to the dead-letter queue, and the queue policy that lets the topic (and only
// it) send to the queue, which SNS needs on AWS (moto does not check it).
#include <string>
#include <vector>

#include "aws/form_body.hpp"

namespace ninja::events::sns {

std::string filter_policy(const std::vector<std::string>& types);
std::string redrive_policy(const std::string& dead_letter_queue_arn, int max_receives);
std::string queue_policy(const std::string& queue_arn, const std::string& topic_arn);

// A map parameter of the SNS Query protocol: `name`.entry.N.key / `name`.entry.N.value.
void append_map(aws::FormParams& params, const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace ninja::events::sns
