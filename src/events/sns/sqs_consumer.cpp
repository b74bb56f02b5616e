#include "events/sns/sqs_consumer.hpp"

#include <spdlog/logger.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <optional>

#include "events/sns/on_loop.hpp"
#include "events/sns/sqs_messages.hpp"
#include "util/error_text.hpp"
#include "util/thread_name.hpp"
#include "util/unavailable.hpp"

namespace ninja::events::sns {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

enum class Outcome { accepted, refused, given_back };

bool is_unavailable(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const util::Unavailable&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

struct SqsConsumer::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, aws::AwsClient& poll, aws::AwsClient& sqs, std::string queue_url,
        std::vector<std::string> types, ConsumerOptions options, BatchHandler handler,
        std::shared_ptr<spdlog::logger> log, std::atomic<bool>& reachable)
      : io(io),
        poll(poll),
        sqs(sqs),
        queue_url(std::move(queue_url)),
        types(std::move(types)),
        options(options),
        handler(std::move(handler)),
        log(std::move(log)),
        reachable(reachable),
        extend_timer(io),
        retry_timer(io) {}

  asio::io_context& io;
  aws::AwsClient& poll;  // for ReceiveMessage: its timeout is longer than a long poll
  aws::AwsClient& sqs;
  const std::string queue_url;
  const std::vector<std::string> types;
  const ConsumerOptions options;
  const BatchHandler handler;
  const std::shared_ptr<spdlog::logger> log;
  std::atomic<bool>& reachable;

  // On the loop's thread only.
  bool closed = false;  // after it, the client is called only to give back what arrives
  bool receive_failing = false;
  std::vector<QueueMessage> batch;  // the batch in the handler's hands
  std::vector<size_t> handled;      // indexes into `batch`: the events handed over
  int answers_in_flight = 0;
  std::vector<std::shared_ptr<std::promise<void>>> stop_waiters;
  asio::steady_timer extend_timer;
  asio::steady_timer retry_timer;

  // Between the loop and the handler's thread.
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::optional<std::vector<Event>> handoff;
  std::thread::id handler_thread;

  std::chrono::seconds refusal_delay(int receive_count) const {
    auto delay = options.refusal_delay;
    for (int n = 1; n < receive_count && delay < options.refusal_delay_max; ++n) delay *= 2;
    return std::min(delay, options.refusal_delay_max);
  }

  // ---- the loop's side ----

  void receive() {
    if (closed) return;
    poll.call_json(
        "AmazonSQS.ReceiveMessage", receive_request(queue_url, options.max_messages, options.wait, options.visibility),
        [self = shared_from_this()](json::value answer, std::exception_ptr error) { self->received(answer, error); });
  }

  void received(const json::value& answer, const std::exception_ptr& error) {
    std::vector<QueueMessage> messages;
    std::exception_ptr failure = error;
    if (!failure) {
      try {
        messages = parse_receive_answer(answer);
      } catch (...) {
        failure = std::current_exception();
      }
    }
    if (closed) {
      if (!error) give_back(messages);
      return;
    }
    if (failure) return receive_failed(failure);
    reachable = true;
    if (receive_failing) log->info("SQS queue {} receives again", queue_url);
    receive_failing = false;
    if (messages.empty()) return receive();
    take(std::move(messages));
  }

  void receive_failed(const std::exception_ptr& error) {
    if (is_unavailable(error)) reachable = false;
    if (!receive_failing) {
      log->warn("receiving from SQS queue {} failed; retrying every {} ms: {}", queue_url, options.retry_wait.count(),
                util::error_text(error));
    }
    receive_failing = true;
    retry_timer.expires_after(options.retry_wait);
    retry_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->receive();
    });
  }

  void take(std::vector<QueueMessage> messages) {
    batch = std::move(messages);
    handled.clear();
    std::vector<Event> events;
    for (size_t i = 0; i < batch.size(); ++i) {
      auto& message = batch[i];
      if (!message.event) {
        log->warn("SQS message {} in {} is not an event of ours ({}); left for the dead-letter queue",
                  message.message_id, queue_url, message.why);
        continue;
      }
      if (std::find(types.begin(), types.end(), message.event->type) == types.end()) continue;
      handled.push_back(i);
      events.push_back(*message.event);
    }
    if (events.empty()) return finish(Outcome::accepted);
    bool handed_over = false;
    {
      std::lock_guard lock(mutex);
      if (!stopping) {
        handoff = std::move(events);
        handed_over = true;
      }
    }
    if (!handed_over) return finish(Outcome::given_back);
    wake.notify_all();
    schedule_extension();
  }

  void schedule_extension() {
    extend_timer.expires_after(options.extend_every);
    extend_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed || self->batch.empty()) return;
      self->extend();
      self->schedule_extension();
    });
  }

  void extend() {
    // The whole batch, not only the events handed over: finish() answers every message of it.
    std::vector<std::string> receipts;
    for (const auto& message : batch) receipts.push_back(message.receipt_handle);
    sqs.call_json("AmazonSQS.ChangeMessageVisibilityBatch",
                  visibility_batch_request(queue_url, receipts, options.visibility),
                  [self = shared_from_this()](json::value answer, std::exception_ptr error) {
                    if (error || failed_entries(answer) > 0) {
                      self->log->warn("extending the visibility of a batch in {} failed; it may be redelivered: {}",
                                      self->queue_url, error ? util::error_text(error) : "some entries failed");
                    }
                  });
  }

  // Answers the batch: deletes what is done with, makes the rest visible again after a delay.
  void finish(Outcome outcome) {
    extend_timer.cancel();
    std::vector<std::string> deletes;
    std::map<std::chrono::seconds, std::vector<std::string>> delays;
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto& message = batch[i];
      const bool was_handled = std::find(handled.begin(), handled.end(), i) != handled.end();
      if (!message.event) {
        delays[refusal_delay(message.receive_count)].push_back(message.receipt_handle);
      } else if (!was_handled || outcome == Outcome::accepted) {
        deletes.push_back(message.receipt_handle);
      } else if (outcome == Outcome::refused) {
        delays[refusal_delay(message.receive_count)].push_back(message.receipt_handle);
      } else {
        delays[std::chrono::seconds(0)].push_back(message.receipt_handle);  // to another process at once
      }
    }
    batch.clear();
    handled.clear();
    if (!deletes.empty()) send_answer("AmazonSQS.DeleteMessageBatch", delete_batch_request(queue_url, deletes));
    for (const auto& [delay, receipts] : delays) {
      send_answer("AmazonSQS.ChangeMessageVisibilityBatch", visibility_batch_request(queue_url, receipts, delay));
    }
    if (answers_in_flight == 0) answered();
  }

  void send_answer(const std::string& target, std::string body) {
    ++answers_in_flight;
    sqs.call_json(target, std::move(body),
                  [self = shared_from_this(), target](json::value answer, std::exception_ptr error) {
                    // A lost answer only means a redelivery, which consumers deduplicate by event id.
                    if (error || failed_entries(answer) > 0) {
                      self->log->warn("SQS {} on {} failed for some messages; they will be offered again: {}", target,
                                      self->queue_url, error ? util::error_text(error) : "entries failed");
                    }
                    if (--self->answers_in_flight == 0) self->answered();
                  });
  }

  void answered() {
    if (!closed) return receive();
    for (auto& waiter : stop_waiters) waiter->set_value();
    stop_waiters.clear();
  }

  void give_back(const std::vector<QueueMessage>& messages) {
    if (messages.empty()) return;
    std::vector<std::string> receipts;
    for (const auto& message : messages) receipts.push_back(message.receipt_handle);
    sqs.call_json("AmazonSQS.ChangeMessageVisibilityBatch",
                  visibility_batch_request(queue_url, receipts, std::chrono::seconds(0)),
                  [](json::value, std::exception_ptr) {});  // else they return after their visibility timeout
  }

  void close(const std::shared_ptr<std::promise<void>>& waiter) {
    closed = true;
    retry_timer.cancel();
    if (answers_in_flight == 0) {
      waiter->set_value();
    } else {
      stop_waiters.push_back(waiter);
    }
  }

  // ---- the handler's thread ----

  void run() {
    for (;;) {
      std::vector<Event> events;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [this] { return stopping || handoff; });
        if (!handoff) return;
        events = std::move(*handoff);
        handoff.reset();
      }
      const Outcome outcome = handle(events);
      asio::post(io, [self = shared_from_this(), outcome] { self->finish(outcome); });
    }
  }

  Outcome handle(const std::vector<Event>& events) {
    {
      std::lock_guard lock(mutex);
      if (stopping) return Outcome::given_back;
    }
    for (int attempt = 1;; ++attempt) {
      try {
        handler(events);
        return Outcome::accepted;
      } catch (const util::Unavailable& e) {
        if (attempt == 1) {
          log->warn("SQS consumer of {} holds {} events until it can take them: {}", queue_url, events.size(),
                    e.what());
        }
        if (!pause(hold_delay(attempt))) return Outcome::given_back;
      } catch (const std::exception& e) {
        log->warn("SQS consumer of {} refused {} events (offered again later): {}", queue_url, events.size(), e.what());
        return Outcome::refused;
      } catch (...) {
        log->warn("SQS consumer of {} refused {} events (offered again later)", queue_url, events.size());
        return Outcome::refused;
      }
    }
  }

  std::chrono::milliseconds hold_delay(int attempt) const {
    auto delay = options.hold_wait;
    for (int n = 1; n < attempt && delay < options.hold_wait_max; ++n) delay *= 2;
    return std::min(delay, options.hold_wait_max);
  }

  bool pause(std::chrono::milliseconds duration) {  // false when stopping
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, duration, [this] { return stopping; });
  }
};

SqsConsumer::SqsConsumer(asio::io_context& io, aws::AwsClient& poll, aws::AwsClient& sqs, std::string queue_url,
                         std::vector<std::string> types, ConsumerOptions options, BatchHandler handler,
                         std::shared_ptr<spdlog::logger> log, std::atomic<bool>& reachable, std::string thread_name)
    : state_(std::make_shared<State>(io, poll, sqs, std::move(queue_url), std::move(types), options, std::move(handler),
                                     std::move(log), reachable)) {
  thread_ = std::thread([state = state_, thread_name = std::move(thread_name)] {
    util::name_this_thread(thread_name);
    {
      std::lock_guard lock(state->mutex);
      state->handler_thread = std::this_thread::get_id();
    }
    state->run();
  });
  asio::post(io, [state = state_] { state->receive(); });
}

SqsConsumer::~SqsConsumer() { stop(); }  // also joins after a stop() from inside the handler

void SqsConsumer::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    if (std::this_thread::get_id() == state_->handler_thread) return;  // a thread cannot join itself
  }
  state_->wake.notify_all();
  std::lock_guard joining(join_mutex_);  // two threads stopping at once: one joins, both wait
  if (thread_.joinable()) thread_.join();
  // The handler has returned and its outcome was posted before this: the loop answers it first.
  auto waiter = std::make_shared<std::promise<void>>();
  auto answered = waiter->get_future();
  run_on_loop(state_->io, [state = state_, waiter] { state->close(waiter); });
  if (!state_->io.get_executor().running_in_this_thread() && !state_->io.stopped()) {
    answered.wait_for(state_->options.stop_wait);
  }
}

std::chrono::seconds SqsConsumer::refusal_delay(int receive_count) const {
  return state_->refusal_delay(receive_count);
}

}  // namespace ninja::events::sns
