#pragma once
// publish() for the SNS bus: the events go to the FIFO topic in PublishBatch calls of up to ten,
// one call after the other, so that a later event of an entity never overtakes an earlier one on
// the way; each event's result is its entry's. Once an entry failed, the later events of the same
// entity in this publish() are reported failed without being sent: the relay republishes them
// after it, in order.
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "aws/aws_client.hpp"
#include "events/bus.hpp"
#include "events/sns/publish_batch.hpp"

namespace ninja::events::sns {

class SnsPublisher {
 public:
  // `reachable` is set after each call: false when SNS could not be reached, true when it answered.
  // `io` is the loop of the client's CurlMulti: the batches are sent and answered there.
  SnsPublisher(boost::asio::io_context& io, aws::AwsClient& sns, std::string topic_arn, PublishLimits limits,
               std::atomic<bool>& reachable);
  SnsPublisher(const SnsPublisher&) = delete;
  SnsPublisher& operator=(const SnsPublisher&) = delete;
  // Events still waiting for their batch complete as unavailable; the client must outlive this.
  ~SnsPublisher();

  // `done` runs on the client's loop (inline for no events).
  void publish(std::vector<Event> events, util::Completion<PublishResults> done);

 private:
  struct State;
  struct Run;
  std::shared_ptr<State> state_;
};

}  // namespace ninja::events::sns
