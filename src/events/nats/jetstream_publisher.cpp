#include "events/nats/jetstream_publisher.hpp"

#include <fmt/format.h>

#include "events/nats/nats_error.hpp"

namespace ninja::events::nats {
namespace {

// The failure a PubAck error stands for. A timeout means the server did not answer in time: the
// message may or may not be stored, and a retry with the same Nats-Msg-Id is safe either way.
std::exception_ptr pub_ack_failure(const jsPubAckErr& error, const natsMsg* msg, std::chrono::milliseconds timeout) {
  const std::string doing = fmt::format("publish to {}", natsMsg_GetSubject(msg));
  if (error.Err == NATS_TIMEOUT) {
    return nats_failure(NATS_TIMEOUT, doing, 0, fmt::format("no PubAck within {} ms", timeout.count()));
  }
  return nats_failure(error.Err, doing, error.ErrCode, error.ErrText == nullptr ? "" : error.ErrText);
}

}  // namespace

JetStreamPublisher::JetStreamPublisher(NatsConnection& connection, std::string stream,
                                       std::chrono::milliseconds ack_timeout)
    : connection_(connection), stream_(std::move(stream)), ack_timeout_(ack_timeout) {
  jsOptions options;
  check(jsOptions_Init(&options), "initialize JetStream options");
  options.PublishAsync.AckHandler = &JetStreamPublisher::on_ack;
  options.PublishAsync.AckHandlerClosure = this;
  js_ = connection_.jetstream(&options);
  closed_listener_ = connection_.add_closed_listener([this] { fail_all_pending(); });
}

JetStreamPublisher::~JetStreamPublisher() {
  std::unique_lock lock(mutex_);
  closing_ = true;
  // Every message in flight has a deadline (MaxWait), after which the library reports a timeout
  // through on_ack(), or the connection closed for good and fail_all_pending() completed it; once
  // the count is zero no ack handler can run for us any more.
  idle_.wait(lock, [this] { return in_flight_ == 0; });
  lock.unlock();
  connection_.remove_closed_listener(closed_listener_);
  js_.reset();
}

size_t JetStreamPublisher::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

void JetStreamPublisher::publish(OutgoingMessage message, PublishCompletion done) {
  const std::string doing = "publish to " + message.subject;
  if (!connection_.connected()) {
    // While reconnecting the library would buffer the message and its PubAck could only time out:
    // failing now tells the caller at once, and it keeps the event for a later round.
    done(nats_failure(NATS_CONNECTION_DISCONNECTED, doing, 0, "not connected to " + connection_.servers()));
    return;
  }
  natsMsg* raw = nullptr;
  if (natsStatus status = natsMsg_Create(&raw, message.subject.c_str(), nullptr, message.data.data(),
                                         static_cast<int>(message.data.size()));
      status != NATS_OK) {
    done(nats_failure(status, doing));
    return;
  }
  MessageHandle msg(raw);
  for (const auto& [name, value] : message.headers) {
    if (natsStatus status = natsMsgHeader_Set(raw, name.c_str(), value.c_str()); status != NATS_OK) {
      done(nats_failure(status, doing + " (header " + name + ")"));
      return;
    }
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MsgId = message.msg_id.c_str();
  options.ExpectStream = stream_.c_str();
  options.MaxWait = ack_timeout_.count();

  {
    std::unique_lock lock(mutex_);
    if (closing_) {
      lock.unlock();
      done(nats_failure(NATS_CONNECTION_CLOSED, doing, 0, "the publisher is shutting down"));
      return;
    }
    // Registered first: the PubAck may arrive before js_PublishMsgAsync() returns.
    pending_.emplace(raw, std::move(done));
    ++in_flight_;
  }
  natsMsg* handed = msg.release();
  const natsStatus status = js_PublishMsgAsync(js_.get(), &handed, &options);
  if (status == NATS_OK) return;  // the library owns the message; on_ack() will complete it

  // Not sent: the message is ours again (`handed` still points to it) and no ack will come.
  MessageHandle back(handed);
  auto error = nats_failure(status, doing);
  PublishCompletion completion;
  {
    std::lock_guard lock(mutex_);
    auto found = pending_.find(handed);
    if (found == pending_.end()) return;  // fail_all_pending() took and completed it meanwhile
    completion = std::move(found->second);
    pending_.erase(found);
  }
  back.reset();
  completion(error);
  std::lock_guard lock(mutex_);
  if (--in_flight_ == 0) idle_.notify_all();
}

void JetStreamPublisher::on_ack(jsCtx* /*js*/, natsMsg* msg, jsPubAck* /*ack*/, jsPubAckErr* error, void* closure) {
  auto* self = static_cast<JetStreamPublisher*>(closure);
  // A duplicate (the stream already holds this Nats-Msg-Id) is a success: the event is stored.
  self->complete(msg, error == nullptr ? nullptr : pub_ack_failure(*error, msg, self->ack_timeout_));
}

void JetStreamPublisher::complete(natsMsg* msg, std::exception_ptr error) {
  PublishCompletion completion;
  {
    std::lock_guard lock(mutex_);
    auto found = pending_.find(msg);
    if (found != pending_.end()) {
      completion = std::move(found->second);
      pending_.erase(found);
    }
  }
  natsMsg_Destroy(msg);     // the ack handler owns the message it is given
  if (!completion) return;  // not one of ours (cannot happen: every message sent was registered)
  try {
    completion(std::move(error));
  } catch (...) {
    // A completion must not throw; one that does must not take the library's thread down.
  }
  // Last touch of `this`: the destructor may proceed once it sees zero.
  std::lock_guard lock(mutex_);
  if (--in_flight_ == 0) idle_.notify_all();
}

void JetStreamPublisher::fail_all_pending() {
  std::vector<PublishCompletion> orphans;
  {
    std::lock_guard lock(mutex_);
    // The messages stay the library's (it frees them with the context); only the completions go.
    for (auto& [msg, completion] : pending_) orphans.push_back(std::move(completion));
    pending_.clear();
  }
  for (auto& completion : orphans) {
    try {
      completion(nats_failure(NATS_CONNECTION_CLOSED, "publish", 0, "the connection closed before the PubAck"));
    } catch (...) {
      // As in complete(): never into the library's thread.
    }
  }
  std::lock_guard lock(mutex_);
  in_flight_ -= orphans.size();
  if (in_flight_ == 0) idle_.notify_all();
}

}  // namespace ninja::events::nats
