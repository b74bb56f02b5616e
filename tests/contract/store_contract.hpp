#pragma once
// The typed fixture every Store contract test derives from, and helpers that build valid entities,
// events and idempotency records. Test bodies touch the store only through storage::Store.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "domain/errors.hpp"
#include "domain/order.hpp"
#include "domain/representation.hpp"
#include "domain/store.hpp"
#include "domain/user.hpp"
#include "events/event.hpp"
#include "store_backend_list.hpp"
#include "support/blocking_ports.hpp"
#include "support/test_servers.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

namespace ninja::domain {
// Readable gtest output for statuses (found by ADL).
inline void PrintTo(CreateStatus status, std::ostream* os) {
  switch (status) {
    case CreateStatus::created:
      *os << "created";
      return;
    case CreateStatus::email_taken:
      *os << "email_taken";
      return;
    case CreateStatus::user_missing:
      *os << "user_missing";
      return;
    case CreateStatus::idempotency_taken:
      *os << "idempotency_taken";
      return;
  }
  *os << "CreateStatus(" << static_cast<int>(status) << ")";
}
inline void PrintTo(NotifyChannel channel, std::ostream* os) { *os << to_string(channel); }
}  // namespace ninja::domain

namespace ninja::contract {

using domain::CreateStatus;
using domain::IdempotencyRecord;
using domain::PageQuery;

inline constexpr int64_t kHourMs = 60 * 60 * 1000;

// Field-by-field comparisons, so a failure names the field that did not round-trip.
inline void expect_same_user(const domain::User& expected, const domain::User& actual) {
  SCOPED_TRACE("user " + expected.id);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.email, expected.email);
  EXPECT_EQ(actual.phone, expected.phone);
  EXPECT_EQ(actual.notify_channel, expected.notify_channel);
  EXPECT_EQ(actual.webhook_url, expected.webhook_url);
  EXPECT_EQ(actual.webhook_secret, expected.webhook_secret);
  EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
}

inline void expect_same_order(const domain::Order& expected, const domain::Order& actual) {
  SCOPED_TRACE("order " + expected.id);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.user_id, expected.user_id);
  ASSERT_EQ(actual.items.size(), expected.items.size());
  for (size_t i = 0; i < expected.items.size(); ++i) {
    SCOPED_TRACE("item " + std::to_string(i));
    EXPECT_EQ(actual.items[i].sku, expected.items[i].sku);
    EXPECT_EQ(actual.items[i].quantity, expected.items[i].quantity);
    EXPECT_EQ(actual.items[i].unit_price, expected.items[i].unit_price);
  }
  EXPECT_EQ(actual.currency, expected.currency);
  EXPECT_EQ(actual.total, expected.total);
  EXPECT_EQ(actual.status, expected.status);
  EXPECT_EQ(actual.note, expected.note);
  EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
}

inline void expect_same_event(const events::Event& expected, const events::Event& actual) {
  SCOPED_TRACE("event " + expected.id);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.type, expected.type);
  EXPECT_EQ(actual.subject, expected.subject);
  EXPECT_EQ(actual.time_ms, expected.time_ms);
  EXPECT_EQ(actual.payload, expected.payload);
}

inline void expect_same_events(const std::vector<events::Event>& expected, const std::vector<events::Event>& actual) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("outbox position " + std::to_string(i));
    expect_same_event(expected[i], actual[i]);
  }
}

inline void expect_same_record(const IdempotencyRecord& expected, const IdempotencyRecord& actual) {
  SCOPED_TRACE("idempotency " + expected.scope + "/" + expected.key);
  EXPECT_EQ(actual.scope, expected.scope);
  EXPECT_EQ(actual.key, expected.key);
  EXPECT_EQ(actual.fingerprint, expected.fingerprint);
  EXPECT_EQ(actual.resource_id, expected.resource_id);
  EXPECT_EQ(actual.body, expected.body);
  EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
  EXPECT_EQ(actual.expires_at_ms, expected.expires_at_ms);
}

template <class T>
std::vector<std::string> ids_of(const std::vector<T>& items) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const auto& item : items) out.push_back(item.id);
  return out;
}

template <class Backend>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = Backend::unavailable()) NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(*reason);
    try {
      backend_.emplace();
    } catch (const domain::Unavailable& e) {
      NINJA_SKIP_OR_FAIL_WITHOUT_SERVER(std::string(Backend::kName) + " is not reachable: " + e.what());
    }
    bind();
  }

  // Blocking views of the backend's ports (each call waits for its completion).
  testing_support::BlockingStore& store() { return *store_; }
  testing_support::BlockingOutbox& outbox_view() { return *outbox_; }
  testing_support::BlockingDeliveries& deliveries() { return *deliveries_; }
  testing_support::BlockingApiKeys& api_keys() { return *api_keys_; }
  // The ports themselves, for tests of the asynchronous behaviour.
  storage::Storage& ports() { return backend_->storage(); }
  void reopen() {
    backend_->reopen();
    bind();
  }

  std::string next_id() { return ids_.next(); }
  static int64_t now() { return util::system_millis(); }

  // A valid user with a unique email and no optional fields.
  domain::User make_user(std::optional<std::string> email = std::nullopt) {
    domain::User user;
    user.id = next_id();
    const int n = ++serial_;
    user.name = "User " + std::to_string(n);
    user.email = email ? *email : "user" + std::to_string(n) + "@example.com";
    user.notify_channel = domain::NotifyChannel::email;
    user.created_at_ms = now();
    return user;
  }

  // A user with every optional field set.
  domain::User make_full_user() {
    domain::User user = make_user();
    user.phone = "+44 20 7946 0958";
    user.notify_channel = domain::NotifyChannel::webhook;
    user.webhook_url = "https://hooks.example.com/ninja?user=" + user.id + "&x=1";
    user.webhook_secret = domain::format_webhook_secret(std::string(32, '\x5a'));
    return user;
  }

  // A valid order with one item and no note.
  domain::Order make_order(const std::string& user_id) {
    domain::Order order;
    order.id = next_id();
    order.user_id = user_id;
    order.items = {{"SKU-" + std::to_string(++serial_), 2, 1250}};
    order.currency = "EUR";
    order.total = 2500;
    order.created_at_ms = now();
    return order;
  }

  events::Event user_created_event(const domain::User& user) {
    return events::make_event(next_id(), events::kUserCreated, "/v1/users", user.id, user.created_at_ms,
                              boost::json::serialize(domain::to_json(user)));
  }
  events::Event order_created_event(const domain::Order& order) {
    return events::make_event(next_id(), events::kOrderCreated, "/v1/orders", order.id, order.created_at_ms,
                              boost::json::serialize(domain::to_json(order)));
  }
  events::Event deleted_event(std::string_view type, const std::string& id) {
    const std::string_view source = type == events::kUserDeleted ? "/v1/users" : "/v1/orders";
    return events::make_event(next_id(), type, source, id, now(),
                              boost::json::serialize(boost::json::object{{"id", id}}));
  }

  // Creates `user` with its event and expects success; returns the event written.
  events::Event add_user(const domain::User& user, const IdempotencyRecord* idempotency = nullptr) {
    auto event = user_created_event(user);
    EXPECT_EQ(store().create_user(user, event, idempotency), CreateStatus::created) << user.email;
    return event;
  }
  domain::User add_user() {
    auto user = make_user();
    add_user(user);
    return user;
  }
  events::Event add_order(const domain::Order& order, const IdempotencyRecord* idempotency = nullptr) {
    auto event = order_created_event(order);
    EXPECT_EQ(store().create_order(order, event, idempotency), CreateStatus::created) << order.id;
    return event;
  }
  domain::Order add_order(const std::string& user_id) {
    auto order = make_order(user_id);
    add_order(order);
    return order;
  }

  IdempotencyRecord make_record(std::string scope, std::string key, std::string resource_id, int64_t created_at_ms,
                                int64_t expires_at_ms) {
    return IdempotencyRecord{std::move(scope),
                             std::move(key),
                             "sha256:" + resource_id.substr(0, 8),
                             resource_id,
                             "{\"id\":\"" + resource_id + "\"}",
                             created_at_ms,
                             expires_at_ms};
  }

  // Every event appended so far, in the order relays took them out: each call drains what is new
  // (marks it published), so a test that calls it after each write sees them in commit order.
  std::vector<events::Event> outbox() {
    for (auto& e : outbox_view().drain()) drained_.push_back(std::move(e));
    return drained_;
  }

  std::optional<Backend> backend_;

 private:
  void bind() {
    auto& s = backend_->storage();
    store_.emplace(*s.store);
    outbox_.emplace(*s.outbox);
    deliveries_.emplace(*s.deliveries);
    api_keys_.emplace(*s.api_keys);
  }
  std::optional<testing_support::BlockingStore> store_;
  std::optional<testing_support::BlockingOutbox> outbox_;
  std::optional<testing_support::BlockingDeliveries> deliveries_;
  std::optional<testing_support::BlockingApiKeys> api_keys_;
  std::vector<events::Event> drained_;
  util::UuidV7Generator ids_{util::system_millis};
  int serial_ = 0;
};

}  // namespace ninja::contract
