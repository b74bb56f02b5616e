#include "events/sns/sns_publisher.hpp"

#include <boost/asio/post.hpp>

#include <set>
#include <stdexcept>

#include "events/sns/on_loop.hpp"
#include "util/unavailable.hpp"

namespace ninja::events::sns {

struct SnsPublisher::State {
  State(boost::asio::io_context& io, aws::AwsClient& sns, std::string topic_arn, PublishLimits limits,
        std::atomic<bool>& reachable)
      : io(io), sns(sns), topic_arn(std::move(topic_arn)), limits(limits), reachable(reachable) {}
  boost::asio::io_context& io;
  aws::AwsClient& sns;
  const std::string topic_arn;
  const PublishLimits limits;
  std::atomic<bool>& reachable;
  bool closed = false;  // on the loop's thread: after it, the client is never called again
};

// One publish() through its batches.
struct SnsPublisher::Run : std::enable_shared_from_this<Run> {
  Run(std::shared_ptr<State> state, std::vector<Event> events, util::Completion<PublishResults> done)
      : state(std::move(state)), events(std::move(events)), results(this->events.size()), done(std::move(done)) {}

  std::shared_ptr<State> state;
  std::vector<Event> events;
  BatchPlan plan;
  size_t next = 0;                  // the batch to send next
  std::set<std::string> held_back;  // entities with an event not accepted
  PublishResults results;
  util::Completion<PublishResults> done;

  ~Run() {
    // A run dropped unfinished (its loop stopped with it queued) still answers, as unavailable.
    if (done) fail_all(std::make_exception_ptr(util::Unavailable("the SNS bus stopped before publishing")));
  }

  void start() {  // on the loop
    plan = plan_batches(events, state->limits);
    for (auto& [index, error] : plan.refused) {
      results[index] = error;
      held_back.insert(events[index].subject);
    }
    send_next();
  }

  void send_next() {
    while (next < plan.batches.size()) {
      // Events of an entity held back stay out of this batch and fail: sent, they would overtake.
      std::vector<size_t> batch;
      for (const size_t index : plan.batches[next]) {
        if (held_back.contains(events[index].subject)) {
          results[index] = std::make_exception_ptr(std::runtime_error(
              "event " + events[index].id + " held back: an earlier event of its entity was not accepted"));
        } else {
          batch.push_back(index);
        }
      }
      ++next;
      if (batch.empty()) continue;
      if (state->closed) return fail(batch, std::make_exception_ptr(util::Unavailable("the SNS bus is closing")));
      auto params = publish_batch_params(state->topic_arn, events, batch);
      state->sns.call_form("PublishBatch", std::move(params),
                           [self = shared_from_this(), batch](std::string xml, std::exception_ptr error) {
                             self->answered(batch, xml, error);
                           });
      return;
    }
    auto finish = std::move(done);
    finish(std::move(results), nullptr);
  }

  void answered(const std::vector<size_t>& batch, const std::string& xml, std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const util::Unavailable&) {
        state->reachable = false;
      } catch (...) {
        state->reachable = true;  // it answered, with a refusal
      }
      return fail(batch, error);
    }
    state->reachable = true;
    const auto entries = publish_batch_results(xml, batch.size());
    for (size_t position = 0; position < batch.size(); ++position) {
      results[batch[position]] = entries[position];
      if (entries[position]) held_back.insert(events[batch[position]].subject);
    }
    send_next();
  }

  void fail_all(const std::exception_ptr& error) {
    auto finish = std::move(done);
    finish(PublishResults(events.size(), error), nullptr);
  }

  void fail(const std::vector<size_t>& batch, const std::exception_ptr& error) {
    for (const size_t index : batch) {
      results[index] = error;
      held_back.insert(events[index].subject);
    }
    send_next();
  }
};

SnsPublisher::SnsPublisher(boost::asio::io_context& io, aws::AwsClient& sns, std::string topic_arn,
                           PublishLimits limits, std::atomic<bool>& reachable)
    : state_(std::make_shared<State>(io, sns, std::move(topic_arn), limits, reachable)) {}

SnsPublisher::~SnsPublisher() {
  // Where the completions run: once this ran, no Run calls the client again.
  run_on_loop(state_->io, [state = state_] { state->closed = true; });
}

void SnsPublisher::publish(std::vector<Event> events, util::Completion<PublishResults> done) {
  if (events.empty()) {
    done({}, nullptr);
    return;
  }
  auto run = std::make_shared<Run>(state_, std::move(events), std::move(done));
  if (state_->io.stopped()) return run->fail_all(std::make_exception_ptr(util::Unavailable("the SNS bus has stopped")));
  // Everything of a run happens on the loop, where `closed` is kept.
  boost::asio::post(state_->io, [run] { run->start(); });
}

}  // namespace ninja::events::sns
