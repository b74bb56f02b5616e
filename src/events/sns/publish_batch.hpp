#pragma once
// The PublishBatch calls of one publish(): consecutive events in batches SNS takes (ten entries,
// 256 KiB of messages together), each call's form body, and one result per entry from its answer,
// so that only the entries SNS did not take are reported failed and republished by the relay.
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/form_body.hpp"
#include "events/event.hpp"

namespace ninja::events::sns {

struct PublishLimits {
  size_t max_entries = 10;     // entries per PublishBatch
  size_t max_bytes = 262'144;  // the messages of one PublishBatch together (message_size())
};

struct BatchPlan {
  std::vector<std::vector<size_t>> batches;  // indexes into the events, in their order
  // Events never sent, with why: SNS would refuse them whatever happens (too large, no group id).
  std::vector<std::pair<size_t, std::exception_ptr>> refused;
};

BatchPlan plan_batches(const std::vector<Event>& events, const PublishLimits& limits);

// The parameters of the PublishBatch of `batch` (indexes into `events`); entry ids are the
// positions in the batch, "0" to "9".
aws::FormParams publish_batch_params(const std::string& topic_arn, const std::vector<Event>& events,
                                     const std::vector<size_t>& batch);

// One result per entry of a batch of `entries` from the PublishBatch answer: null for a Successful
// entry; for a Failed one an aws::AwsError with its Code and Message (retryable unless the sender
// was at fault); an entry the answer does not mention failed too, for SNS has not said it took it.
std::vector<std::exception_ptr> publish_batch_results(std::string_view xml, size_t entries);

}  // namespace ninja::events::sns
