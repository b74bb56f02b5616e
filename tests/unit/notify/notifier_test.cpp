// The notifier against a real SQLite store, with a scripted channel standing in for the network
// (the real channels are tested against real receivers in tests/e2e).
#include <gtest/gtest.h>

#include "unit/notify/notifier_fixture.hpp"

namespace ninja::notify {
namespace {
TEST_F(NotifierTest, DeliversOnceThroughThePreferredChannel) {
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto event = order_event(user.id);
  auto notifier = make_notifier();
  notifier->start();
  notifier->accept({event});
  const auto d = final_delivery(event);
  EXPECT_EQ(d.status, DeliveryStatus::delivered);
  EXPECT_EQ(d.channel, "webhook");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_TRUE(d.delivered_at_ms.has_value());
  const auto sent = webhook.sent();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].event_id, event.id);
  EXPECT_EQ(sent[0].event_json, event.payload);
  EXPECT_EQ(sent[0].order_id, event.subject);
  EXPECT_EQ(sent[0].total, 750);
  EXPECT_EQ(sent[0].currency, "EUR");
  EXPECT_EQ(sent[0].user.id, user.id);
  EXPECT_TRUE(log_channel.sent().empty());
  EXPECT_NE(metrics.render().find(R"(notifications_total{channel="webhook",outcome="delivered"} 1)"),
            std::string::npos);
}

// The store as it is while its server is down: reads of users fail.
class UsersUnreachable final : public domain::Store {
 public:
  explicit UsersUnreachable(domain::Store& inner) : inner_(inner) {}
  void ready(util::Completion<bool> done) override { inner_.ready(std::move(done)); }
  void create_user(domain::User u, events::Event e, std::optional<domain::IdempotencyRecord> r,
                   util::Completion<domain::CreateOutcome> done) override {
    inner_.create_user(std::move(u), std::move(e), std::move(r), std::move(done));
  }
  void create_order(domain::Order o, events::Event e, std::optional<domain::IdempotencyRecord> r,
                    util::Completion<domain::CreateOutcome> done) override {
    inner_.create_order(std::move(o), std::move(e), std::move(r), std::move(done));
  }
  void delete_user(std::string id, events::Event e, util::Completion<bool> done) override {
    inner_.delete_user(std::move(id), std::move(e), std::move(done));
  }
  void delete_order(std::string id, events::Event e, util::Completion<bool> done) override {
    inner_.delete_order(std::move(id), std::move(e), std::move(done));
  }
  void find_user(std::string, util::Completion<std::optional<domain::User>> done) override {
    done(std::nullopt, std::make_exception_ptr(domain::Unavailable("postgres: connection lost")));
  }
  void find_order(std::string id, util::Completion<std::optional<domain::Order>> done) override {
    inner_.find_order(std::move(id), std::move(done));
  }
  void find_user_by_email(std::string email, util::Completion<std::optional<domain::User>> done) override {
    inner_.find_user_by_email(std::move(email), std::move(done));
  }
  void list_users(domain::PageQuery q, util::Completion<domain::Page<domain::User>> done) override {
    inner_.list_users(std::move(q), std::move(done));
  }
  void list_orders(domain::PageQuery q, std::optional<std::string> u,
                   util::Completion<domain::Page<domain::Order>> done) override {
    inner_.list_orders(std::move(q), std::move(u), std::move(done));
  }
  void find_idempotency(std::string s, std::string k, int64_t now,
                        util::Completion<std::optional<domain::IdempotencyRecord>> done) override {
    inner_.find_idempotency(std::move(s), std::move(k), now, std::move(done));
  }
  void purge_idempotency(int64_t now, util::Completion<size_t> done) override {
    inner_.purge_idempotency(now, std::move(done));
  }

 private:
  domain::Store& inner_;
};

TEST_F(NotifierTest, AStoreOutageRefusesTheBatchInsteadOfDroppingIt) {
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto event = order_event(user.id);
  UsersUnreachable down(*storage.store);
  NotifierOptions options{"notifier-under-test", 2, std::chrono::milliseconds(5000), std::chrono::milliseconds(50)};
  Notifier notifier(
      down, *storage.deliveries, ChannelSet{webhook, log_channel}, {10, 40, 3}, options, util::system_millis,
      [] { return 0.5; }, metrics, log);
  // The bus must see the refusal (and offer the event again): acknowledging it now would lose it.
  EXPECT_THROW(notifier.accept({event}), domain::Unavailable);
  EXPECT_TRUE(deliveries_of(event).empty());
  // Once the store answers again, the redelivered event is recorded and notified.
  auto healthy = make_notifier();
  healthy->start();
  healthy->accept({event});
  EXPECT_EQ(final_delivery(event).status, DeliveryStatus::delivered);
}

TEST_F(NotifierTest, ARedeliveredEventIsNotSentTwice) {
  const auto user = add_user(domain::NotifyChannel::email);
  const auto event = order_event(user.id);
  auto notifier = make_notifier();
  notifier->accept({event});
  notifier->accept({event});  // the bus may deliver twice around a crash
  notifier->start();
  EXPECT_EQ(final_delivery(event).status, DeliveryStatus::delivered);
  notifier->accept({event});
  notifier->stop();
  EXPECT_EQ(log_channel.sent().size(), 1U);  // email without SMTP goes to the log channel
}

TEST_F(NotifierTest, ChannelNoneAndMissingUsersAreSkipped) {
  const auto quiet = add_user(domain::NotifyChannel::none);
  const auto none_event = order_event(quiet.id);
  const auto orphan_event = order_event(ids.next());
  auto notifier = make_notifier();
  notifier->start();
  notifier->accept({none_event, orphan_event});
  const auto none = final_delivery(none_event);
  EXPECT_EQ(none.status, DeliveryStatus::skipped);
  EXPECT_EQ(none.channel, "none");
  const auto orphan = final_delivery(orphan_event);
  EXPECT_EQ(orphan.status, DeliveryStatus::skipped);
  EXPECT_EQ(orphan.last_error, "user not found");
  EXPECT_TRUE(webhook.sent().empty());
  EXPECT_TRUE(log_channel.sent().empty());
}

TEST_F(NotifierTest, OtherEventTypesAreIgnored) {
  const auto user = add_user(domain::NotifyChannel::webhook);
  auto event = order_event(user.id);
  event.type = std::string(events::kOrderDeleted);
  auto notifier = make_notifier();
  notifier->accept({event});
  EXPECT_TRUE(deliveries_of(event).empty());
}

TEST_F(NotifierTest, TransientFailuresAreRetriedUntilDelivered) {
  webhook.script({Outcome::retry, Outcome::retry});
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto event = order_event(user.id);
  auto notifier = make_notifier();
  notifier->start();
  notifier->accept({event});
  const auto d = final_delivery(event);
  EXPECT_EQ(d.status, DeliveryStatus::delivered);
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(webhook.sent().size(), 3U);
}

TEST_F(NotifierTest, PermanentFailureAndTheLastAttemptAreDead) {
  webhook.script({Outcome::dead, Outcome::retry, Outcome::retry, Outcome::retry});
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto rejected = order_event(user.id);
  const auto exhausted = order_event(user.id);
  auto notifier = make_notifier();
  notifier->start();
  notifier->accept({rejected});
  const auto first = final_delivery(rejected);
  EXPECT_EQ(first.status, DeliveryStatus::dead);
  EXPECT_EQ(first.attempts, 1);
  EXPECT_EQ(first.last_error, "HTTP 400");
  notifier->accept({exhausted});
  const auto second = final_delivery(exhausted);
  EXPECT_EQ(second.status, DeliveryStatus::dead);
  EXPECT_EQ(second.attempts, 3);  // max_attempts
  EXPECT_EQ(testing_support::BlockingDeliveries(*storage.deliveries).dead_deliveries(10).size(), 2U);
}

TEST_F(NotifierTest, ReplayedDeadLettersAreAttemptedAgain) {
  webhook.script({Outcome::dead});
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto event = order_event(user.id);
  auto notifier = make_notifier();
  notifier->start();
  notifier->accept({event});
  ASSERT_EQ(final_delivery(event).status, DeliveryStatus::dead);
  ASSERT_EQ(testing_support::BlockingDeliveries(*storage.deliveries).requeue_dead(std::nullopt, util::system_millis()),
            1U);
  notifier->wake();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (final_delivery(event).status != DeliveryStatus::delivered && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(final_delivery(event).status, DeliveryStatus::delivered);
  EXPECT_EQ(webhook.sent().size(), 2U);
  EXPECT_EQ(webhook.sent()[1].event_id, event.id);
}

TEST_F(NotifierTest, PendingWorkSurvivesARestart) {
  const auto user = add_user(domain::NotifyChannel::webhook);
  const auto event = order_event(user.id);
  {
    auto crashed = make_notifier();  // accepted, never started: like a crash before the attempt
    crashed->accept({event});
  }
  // The first notifier's lease (5 s) still holds the record; a new process sees it once it ends.
  NotifierOptions options{"restarted", 2, std::chrono::milliseconds(5000), std::chrono::milliseconds(50)};
  Notifier restarted(
      *storage.store, *storage.deliveries, ChannelSet{webhook, log_channel}, {10, 40, 3}, options,
      [] { return util::system_millis() + 6000; }, [] { return 0.5; }, metrics, log);
  restarted.start();
  EXPECT_EQ(final_delivery(event).status, DeliveryStatus::delivered);
  EXPECT_EQ(webhook.sent().size(), 1U);
}

TEST(ChannelSet, FallsBackToTheLogChannelWhenEmailOrSmsIsNotConfigured) {
  ScriptedChannel webhook, log, email;
  const ChannelSet bare{webhook, log};
  EXPECT_EQ(bare.pick(domain::NotifyChannel::webhook), &webhook);
  EXPECT_EQ(bare.pick(domain::NotifyChannel::email), &log);
  EXPECT_EQ(bare.pick(domain::NotifyChannel::sms), &log);
  EXPECT_EQ(bare.pick(domain::NotifyChannel::none), nullptr);
  const ChannelSet with_email{webhook, log, &email, nullptr};
  EXPECT_EQ(with_email.pick(domain::NotifyChannel::email), &email);
  EXPECT_EQ(with_email.pick(domain::NotifyChannel::sms), &log);
}

}  // namespace
}  // namespace ninja::notify
