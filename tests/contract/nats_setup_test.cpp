// ensure_stream() and ensure_consumer() at start: idempotent, updating what an earlier version or
// other settings left, and clear about what cannot be changed.
#include <gtest/gtest.h>

#include <thread>

#include "events/nats/jetstream_setup.hpp"
#include "nats_test_support.hpp"

namespace ninja::contract {
namespace {

using namespace nats_support;

class NatsSetup : public NatsTest {
 protected:
  jsStreamConfig stream_config() {
    jsStreamInfo* info = nullptr;
    nats::check(js_GetStreamInfo(&info, js.get(), address.stream_name().c_str(), nullptr, nullptr), "stream info");
    info_.reset(info);
    return *info->Config;
  }
  jsConsumerConfig consumer_config(const std::string& durable) {
    jsConsumerInfo* info = nullptr;
    nats::check(js_GetConsumerInfo(&info, js.get(), address.stream_name().c_str(), durable.c_str(), nullptr, nullptr),
                "consumer info");
    consumer_info_.reset(info);
    return *info->Config;
  }
  nats::StreamInfoHandle info_;
  nats::ConsumerInfoHandle consumer_info_;
};

TEST_F(NatsSetup, TheStreamIsFileBackedWithOurSubjectsAndDuplicateWindow) {
  const auto config = stream_config();
  EXPECT_EQ(config.Storage, js_FileStorage);
  ASSERT_EQ(config.SubjectsLen, 1);
  EXPECT_EQ(std::string(config.Subjects[0]), address.all_subjects());
  EXPECT_EQ(config.Duplicates, std::chrono::nanoseconds(std::chrono::minutes(2)).count());
}

TEST_F(NatsSetup, EnsuringAgainIsHarmlessAndChangedSettingsAreApplied) {
  nats::ensure_stream(js.get(), stream);  // a second process starting
  stream.duplicate_window = std::chrono::minutes(10);
  nats::ensure_stream(js.get(), stream);  // a new version with other settings
  EXPECT_EQ(stream_config().Duplicates, std::chrono::nanoseconds(std::chrono::minutes(10)).count());
}

TEST_F(NatsSetup, ManyProcessesEnsuringAtOnceAllSucceed) {
  auto settings = consumer_settings("racer");
  std::vector<std::thread> starters;
  std::atomic<int> failed{0};
  for (int i = 0; i < 6; ++i) {
    starters.emplace_back([&] {
      try {
        nats::NatsConnection own(address, fast_reconnect(), quiet_logger());
        auto own_js = own.jetstream(nullptr);
        nats::ensure_stream(own_js.get(), stream);
        nats::ensure_consumer(own_js.get(), settings);
      } catch (const std::exception&) {
        ++failed;
      }
    });
  }
  for (auto& starter : starters) starter.join();
  EXPECT_EQ(failed.load(), 0);
}

TEST_F(NatsSetup, TheConsumerIsADurablePullConsumerWithExplicitAcks) {
  auto settings = consumer_settings("notifier");
  settings.max_deliver = 7;
  nats::ensure_consumer(js.get(), settings);
  const auto config = consumer_config(settings.durable);
  EXPECT_EQ(config.AckPolicy, js_AckExplicit);
  EXPECT_EQ(std::string(config.Durable), settings.durable);
  EXPECT_EQ(config.DeliverSubject, nullptr);  // pull
  EXPECT_EQ(config.MaxDeliver, 7);
  EXPECT_EQ(config.AckWait, std::chrono::nanoseconds(settings.ack_wait).count());

  nats::ensure_consumer(js.get(), settings);  // again: harmless
  settings.ack_wait = std::chrono::seconds(45);
  settings.max_deliver = 9;
  nats::ensure_consumer(js.get(), settings);  // changed: updated
  const auto updated = consumer_config(settings.durable);
  EXPECT_EQ(updated.MaxDeliver, 9);
  EXPECT_EQ(updated.AckWait, std::chrono::nanoseconds(std::chrono::seconds(45)).count());
}

TEST_F(NatsSetup, AStreamOnOverlappingSubjectsIsRefusedClearly) {
  nats::StreamSettings rival = stream;
  rival.name = address.stream_name() + "-rival";
  try {
    nats::ensure_stream(js.get(), rival);
    js_DeleteStream(js.get(), rival.name.c_str(), nullptr, nullptr);
    FAIL() << "two streams on one subject";
  } catch (const nats::NatsError& e) {
    EXPECT_EQ(e.js_code(), JSStreamSubjectOverlapErr) << e.what();
  }
}

}  // namespace
}  // namespace ninja::contract
