#pragma once
// A consumer of one SQS queue for the SNS bus. On the event loop it long-polls ReceiveMessage
// (no thread waits for messages) and answers each batch: DeleteMessageBatch once the handler
// returned (it has durably taken the events over), ChangeMessageVisibilityBatch with a growing
// delay when it threw, so SQS offers the batch again later and, after the queue's maxReceiveCount
// receives, moves it to the dead-letter queue. The handler, synchronous by the Bus port, runs on
// the consumer's own thread, one batch at a time; while it runs the loop keeps extending the
// batch's visibility, so a slow handler does not see its messages handed to another process. When
// it throws util::Unavailable (its store is down) the batch is held and handed over again after a
// pause, however long the outage: SQS counts receives, not handler calls, so none is spent.
//
// Messages that are not events of ours (no event attributes) are never deleted by us: they come
// back after the refusal delay until the redrive policy moves them to the dead-letter queue.
// Events of types this consumer did not subscribe to (a filter policy changed meanwhile) are
// deleted unhandled. A FIFO queue hands out no further message of an entity while one of its
// messages is in a batch, which is what keeps an entity's events in order through refusals.
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/aws_client.hpp"
#include "events/bus.hpp"

namespace spdlog {
class logger;
}

namespace ninja::events::sns {

struct ConsumerOptions {
  int max_messages = 10;                          // per ReceiveMessage (SQS's limit)
  std::chrono::seconds wait{20};                  // of a long poll (SQS's longest)
  std::chrono::seconds visibility{30};            // a received batch is hidden this long,
  std::chrono::milliseconds extend_every{10000};  // and again this often while the handler runs
  std::chrono::seconds refusal_delay{1};          // a refused batch comes back after this, doubling
  std::chrono::seconds refusal_delay_max{60};     // per receive up to this
  std::chrono::milliseconds retry_wait{500};      // after a failed ReceiveMessage
  std::chrono::milliseconds hold_wait{500};       // first pause while holding a batch (Unavailable),
  std::chrono::milliseconds hold_wait_max{5000};  // doubling up to this
  std::chrono::milliseconds stop_wait{10000};     // the longest stop() waits for a last batch's answer
};

class SqsConsumer {
 public:
  // Starts receiving from `queue_url` at once. `io` is the loop of the clients' CurlMulti; `poll`
  // sends the long polls (its timeout must exceed options.wait), `sqs` the rest; both must outlive
  // the consumer. `reachable` is set after each ReceiveMessage.
  SqsConsumer(boost::asio::io_context& io, aws::AwsClient& poll, aws::AwsClient& sqs, std::string queue_url,
              std::vector<std::string> types, ConsumerOptions options, BatchHandler handler,
              std::shared_ptr<spdlog::logger> log, std::atomic<bool>& reachable, std::string thread_name);
  SqsConsumer(const SqsConsumer&) = delete;
  SqsConsumer& operator=(const SqsConsumer&) = delete;
  ~SqsConsumer();  // stop()

  // Returns once the handler is never called again (and the last batch's answer reached SQS, or
  // stop_wait passed). A batch received but not handed over is made visible again at once. From
  // inside the handler it only asks the consumer to stop; idempotent.
  void stop();

  // The visibility a batch refused on its `receive_count`th receive gets.
  std::chrono::seconds refusal_delay(int receive_count) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread thread_;  // runs the handler
  std::mutex join_mutex_;
};

}  // namespace ninja::events::sns
