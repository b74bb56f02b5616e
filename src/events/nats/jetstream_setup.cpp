#include "events/nats/jetstream_setup.hpp"

#include <thread>

#include "events/nats/nats_error.hpp"
#include "events/nats/nats_handles.hpp"

namespace ninja::events::nats {
namespace {

int64_t nanos(std::chrono::nanoseconds duration) { return duration.count(); }

}  // namespace

void ensure_stream(jsCtx* js, const StreamSettings& settings) {
  std::vector<const char*> subjects;
  for (const auto& subject : settings.subjects) subjects.push_back(subject.c_str());
  jsStreamConfig config;
  check(jsStreamConfig_Init(&config), "initialize a stream configuration");
  config.Name = settings.name.c_str();
  config.Subjects = subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  config.Storage = js_FileStorage;
  config.Retention = js_LimitsPolicy;
  config.MaxAge = nanos(settings.max_age);
  config.Duplicates = nanos(settings.duplicate_window);
  config.Replicas = settings.replicas;

  const std::string what = "create stream " + settings.name;
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus status = js_AddStream(&info, js, &config, nullptr, &code);
  StreamInfoHandle added(info);
  // Two processes creating the stream at the same moment: nats-server 2.9 may fail the second
  // with "error creating store for stream" while the first builds it. Once that one is done the
  // stream exists, and a second try finds it (or its configuration to update).
  for (int retry = 0; status != NATS_OK && code == JSStreamCreateErr && retry < 5; ++retry) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    info = nullptr;
    status = js_AddStream(&info, js, &config, nullptr, &code);
    StreamInfoHandle again(info);
  }
  if (status == NATS_OK) return;
  // The server answers "already in use" only when the existing stream's configuration differs:
  // bring it to ours (an earlier version, or changed settings).
  if (code != JSStreamNameExistErr) throw_nats(status, what, code);
  info = nullptr;
  status = js_UpdateStream(&info, js, &config, nullptr, &code);
  StreamInfoHandle updated(info);
  check(status, "update stream " + settings.name, code);
}

void ensure_consumer(jsCtx* js, const ConsumerSettings& settings) {
  jsConsumerConfig config;
  check(jsConsumerConfig_Init(&config), "initialize a consumer configuration");
  config.Durable = settings.durable.c_str();
  config.FilterSubject = settings.filter_subject.c_str();
  config.DeliverPolicy = js_DeliverAll;
  config.AckPolicy = js_AckExplicit;
  config.AckWait = nanos(settings.ack_wait);
  config.MaxDeliver = settings.max_deliver;
  config.MaxAckPending = settings.max_ack_pending;

  const std::string what = "create consumer " + settings.durable + " on stream " + settings.stream;
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus status = js_AddConsumer(&info, js, settings.stream.c_str(), &config, nullptr, &code);
  ConsumerInfoHandle added(info);
  if (status == NATS_OK) return;
  if (code != JSConsumerNameExistErr) throw_nats(status, what, code);
  info = nullptr;
  status = js_UpdateConsumer(&info, js, settings.stream.c_str(), &config, nullptr, &code);
  ConsumerInfoHandle updated(info);
  check(status, "update consumer " + settings.durable + " on stream " + settings.stream, code);
}

}  // namespace ninja::events::nats
