#include "events/nats/pull_consumer.hpp"

#include <spdlog/logger.h>

#include <algorithm>

#include "util/unavailable.hpp"
#include "events/nats/nats_error.hpp"
#include "util/thread_name.hpp"

namespace ninja::events::nats {

ReceivedMessage::ReceivedMessage(natsMsg* msg) : msg_(msg) {
  jsMsgMetaData* raw = nullptr;
  if (natsMsg_GetMetaData(&raw, msg) == NATS_OK) {
    const MetaDataHandle meta(raw);
    deliveries_ = std::max<uint64_t>(1, meta->NumDelivered);
    stream_sequence_ = meta->Sequence.Stream;
  }
}

std::string_view ReceivedMessage::subject() const { return natsMsg_GetSubject(msg_); }

std::string_view ReceivedMessage::data() const {
  const char* data = natsMsg_GetData(msg_);
  return data == nullptr ? std::string_view{} : std::string_view(data, natsMsg_GetDataLength(msg_));
}

std::optional<std::string_view> ReceivedMessage::header(const char* name) const {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg_, name, &value) != NATS_OK || value == nullptr) return std::nullopt;
  return std::string_view(value);
}

PullConsumer::PullConsumer(NatsConnection& connection, const ConsumerSettings& settings, PullOptions options,
                           MessageBatchHandler handler, std::shared_ptr<spdlog::logger> log, std::string thread_name)
    : durable_(settings.durable),
      options_(options),
      handler_(std::move(handler)),
      log_(std::move(log)),
      thread_name_(std::move(thread_name)),
      js_(connection.jetstream(nullptr)) {
  jsSubOptions sub_options;
  check(jsSubOptions_Init(&sub_options), "initialize subscribe options");
  // Bound to the existing durable: the subscription neither creates nor, when it ends, deletes it.
  sub_options.Stream = settings.stream.c_str();
  sub_options.Consumer = settings.durable.c_str();
  natsSubscription* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  check(js_PullSubscribe(&raw, js_.get(), settings.filter_subject.c_str(), settings.durable.c_str(), nullptr,
                         &sub_options, &code),
        "bind to consumer " + settings.durable + " on stream " + settings.stream, code);
  subscription_.reset(raw);
  thread_ = std::thread([this] {
    util::name_this_thread(thread_name_);
    {
      std::lock_guard lock(mutex_);
      consumer_thread_ = std::this_thread::get_id();
    }
    run();
    std::lock_guard lock(mutex_);
    ended_ = true;
    wake_.notify_all();
  });
  progress_thread_ = std::thread([this] {
    util::name_this_thread(thread_name_ + "-p");
    keep_in_progress();
  });
}

PullConsumer::~PullConsumer() { stop(); }  // also joins after a stop() from inside the handler

void PullConsumer::stop() {
  bool from_handler = false;
  {
    std::lock_guard lock(mutex_);
    from_handler = std::this_thread::get_id() == consumer_thread_;
    if (!stopping_) {
      stopping_ = true;
      // Wakes a Fetch() waiting for messages. The durable consumer stays on the server.
      natsSubscription_Unsubscribe(subscription_.get());
    }
  }
  wake_.notify_all();
  if (from_handler) return;              // a thread cannot join itself
  std::lock_guard joining(join_mutex_);  // two threads stopping at once: one joins, both wait
  if (thread_.joinable()) thread_.join();
  if (progress_thread_.joinable()) progress_thread_.join();
}

std::chrono::milliseconds PullConsumer::nak_delay(uint64_t deliveries) const {
  auto delay = options_.nak_base;
  for (uint64_t n = 1; n < deliveries && delay < options_.nak_max; ++n) delay *= 2;
  return std::min(delay, options_.nak_max);
}

std::chrono::milliseconds PullConsumer::hold_delay(int attempt) const {
  auto delay = options_.retry_wait;
  for (int n = 1; n < attempt && delay < options_.hold_max; ++n) delay *= 2;
  return std::min(delay, options_.hold_max);
}

bool PullConsumer::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, duration, [this] { return stopping_; });
}

void PullConsumer::run() {
  bool failing = false;  // log a run of failed fetches once, and its end
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    natsMsgList list{};
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status =
        natsSubscription_Fetch(&list, subscription_.get(), options_.batch, options_.fetch_wait.count(), &code);
    if (status == NATS_OK) {
      std::vector<MessageHandle> messages;
      messages.reserve(list.Count);
      for (int i = 0; i < list.Count; ++i) {
        messages.emplace_back(list.Msgs[i]);
        list.Msgs[i] = nullptr;  // now owned by `messages`
      }
      natsMsgList_Destroy(&list);
      if (failing) log_->info("consumer {} fetches again", durable_);
      failing = false;
      handle(std::move(messages));
      continue;
    }
    if (status == NATS_TIMEOUT) continue;  // nothing arrived within fetch_wait
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (!failing) {
      try {
        throw_nats(status, "fetch from consumer " + durable_, code);
      } catch (const std::exception& e) {
        log_->warn("{}; retrying every {} ms", e.what(), options_.retry_wait.count());
      }
    }
    failing = true;
    if (!pause(options_.retry_wait)) return;
  }
}

void PullConsumer::handle(std::vector<MessageHandle> messages) {
  std::vector<ReceivedMessage> batch;
  batch.reserve(messages.size());
  for (const auto& msg : messages) batch.emplace_back(msg.get());
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      // Not handed over: give them back at once rather than after the AckWait.
      for (const auto& msg : messages) natsMsg_Nak(msg.get(), nullptr);
      return;
    }
    running_ = &messages;
    running_since_ = std::chrono::steady_clock::now();
  }
  enum class Outcome { accepted, refused, given_back } outcome = Outcome::refused;
  for (int attempt = 1;; ++attempt) {
    try {
      handler_(batch);
      outcome = Outcome::accepted;
      break;
    } catch (const util::Unavailable& e) {
      // What the handler needs (its store) is down: keep the batch here, reported in progress, and
      // try again, instead of spending its bounded deliveries on an outage.
      if (attempt == 1)
        log_->warn("consumer {} holds {} messages until it can take them: {}", durable_, batch.size(), e.what());
      if (!pause(hold_delay(attempt))) {
        outcome = Outcome::given_back;
        break;
      }
    } catch (const std::exception& e) {
      log_->warn("consumer {} refused {} messages (redelivered later): {}", durable_, batch.size(), e.what());
      break;
    } catch (...) {
      log_->warn("consumer {} refused {} messages (redelivered later)", durable_, batch.size());
      break;
    }
  }
  {
    std::lock_guard lock(mutex_);
    running_ = nullptr;
  }
  // Acks are fire-and-forget: one lost on the way means a redelivery, which consumers deduplicate.
  for (const auto& message : batch) {
    natsStatus status = NATS_OK;
    if (message.discarded()) {
      status = natsMsg_Term(message.raw(), nullptr);
    } else if (outcome == Outcome::accepted) {
      status = natsMsg_Ack(message.raw(), nullptr);
    } else if (outcome == Outcome::given_back) {
      status = natsMsg_Nak(message.raw(), nullptr);  // stopping: to another process at once
    } else {
      status = natsMsg_NakWithDelay(message.raw(), nak_delay(message.deliveries()).count(), nullptr);
    }
    if (status != NATS_OK) {
      log_->debug("consumer {}: answering message {} failed ({}); it will be redelivered", durable_,
                  message.stream_sequence(), natsStatus_GetText(status));
    }
  }
}

void PullConsumer::keep_in_progress() {
  std::unique_lock lock(mutex_);
  // Until the consumer thread has ended: a handler still running after stop() keeps its batch.
  while (!ended_) {
    wake_.wait_for(lock, options_.progress_interval);
    if (running_ == nullptr) continue;
    if (std::chrono::steady_clock::now() - running_since_ < options_.progress_interval / 2) continue;
    // Under the lock: the consumer thread cannot destroy these messages meanwhile.
    for (const auto& msg : *running_) natsMsg_InProgress(msg.get(), nullptr);
  }
}

}  // namespace ninja::events::nats
