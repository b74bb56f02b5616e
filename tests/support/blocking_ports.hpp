#pragma once
// Blocking views of the asynchronous ports, for tests that state a sequence of calls and their
// results: each call waits for its completion and returns the result or rethrows the error. The
// asynchronous behaviour itself is tested against the ports directly (store_async_test.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/api_key_store.hpp"
#include "domain/store.hpp"
#include "events/outbox.hpp"
#include "notify/delivery_store.hpp"
#include "util/completion.hpp"

namespace ninja::testing_support {

using util::await_done;
using util::await_result;

class BlockingStore {
 public:
  explicit BlockingStore(domain::Store& store) : store_(store) {}
  domain::Store& port() { return store_; }

  bool ready() {
    return await_result<bool>([&](auto done) { store_.ready(std::move(done)); });
  }
  domain::CreateOutcome create_user_outcome(const domain::User& user, const events::Event& event,
                                            const domain::IdempotencyRecord* record) {
    return await_result<domain::CreateOutcome>(
        [&](auto done) { store_.create_user(user, event, copy(record), std::move(done)); });
  }
  domain::CreateOutcome create_order_outcome(const domain::Order& order, const events::Event& event,
                                             const domain::IdempotencyRecord* record) {
    return await_result<domain::CreateOutcome>(
        [&](auto done) { store_.create_order(order, event, copy(record), std::move(done)); });
  }
  domain::CreateStatus create_user(const domain::User& user, const events::Event& event,
                                   const domain::IdempotencyRecord* record) {
    return create_user_outcome(user, event, record).status;
  }
  domain::CreateStatus create_order(const domain::Order& order, const events::Event& event,
                                    const domain::IdempotencyRecord* record) {
    return create_order_outcome(order, event, record).status;
  }
  bool delete_user(std::string_view id, const events::Event& event) {
    return await_result<bool>([&](auto done) { store_.delete_user(std::string(id), event, std::move(done)); });
  }
  bool delete_order(std::string_view id, const events::Event& event) {
    return await_result<bool>([&](auto done) { store_.delete_order(std::string(id), event, std::move(done)); });
  }
  std::optional<domain::User> find_user(std::string_view id) {
    return await_result<std::optional<domain::User>>(
        [&](auto done) { store_.find_user(std::string(id), std::move(done)); });
  }
  std::optional<domain::User> find_user_by_email(std::string_view email) {
    return await_result<std::optional<domain::User>>(
        [&](auto done) { store_.find_user_by_email(std::string(email), std::move(done)); });
  }
  std::optional<domain::Order> find_order(std::string_view id) {
    return await_result<std::optional<domain::Order>>(
        [&](auto done) { store_.find_order(std::string(id), std::move(done)); });
  }
  std::optional<std::string> find_order_json(std::string_view id) {
    return await_result<std::optional<std::string>>(
        [&](auto done) { store_.find_order_json(std::string(id), std::move(done)); });
  }
  domain::Page<domain::User> list_users(const domain::PageQuery& query) {
    return await_result<domain::Page<domain::User>>([&](auto done) { store_.list_users(query, std::move(done)); });
  }
  domain::Page<domain::Order> list_orders(const domain::PageQuery& query, std::optional<std::string_view> user_id) {
    return await_result<domain::Page<domain::Order>>([&](auto done) {
      store_.list_orders(query, user_id ? std::optional<std::string>(*user_id) : std::nullopt, std::move(done));
    });
  }
  std::optional<domain::IdempotencyRecord> find_idempotency(std::string_view scope, std::string_view key,
                                                            int64_t now_ms) {
    return await_result<std::optional<domain::IdempotencyRecord>>(
        [&](auto done) { store_.find_idempotency(std::string(scope), std::string(key), now_ms, std::move(done)); });
  }
  size_t purge_idempotency(int64_t now_ms) {
    return await_result<size_t>([&](auto done) { store_.purge_idempotency(now_ms, std::move(done)); });
  }

 private:
  static std::optional<domain::IdempotencyRecord> copy(const domain::IdempotencyRecord* record) {
    return record ? std::optional<domain::IdempotencyRecord>(*record) : std::nullopt;
  }
  domain::Store& store_;
};

class BlockingOutbox {
 public:
  explicit BlockingOutbox(events::Outbox& outbox) : outbox_(outbox) {}
  events::Outbox& port() { return outbox_; }

  std::vector<events::Event> claim(size_t limit, const util::Lease& lease) {
    return await_result<std::vector<events::Event>>([&](auto done) { outbox_.claim(limit, lease, std::move(done)); });
  }
  std::vector<events::Event> claim_subjects(std::vector<std::string> subjects, const util::Lease& lease) {
    return await_result<std::vector<events::Event>>(
        [&](auto done) { outbox_.claim_subjects(std::move(subjects), lease, std::move(done)); });
  }
  std::vector<events::Event> peek_pending(size_t limit, const util::Lease& lease) {
    return await_result<std::vector<events::Event>>(
        [&](auto done) { outbox_.peek_pending(limit, lease, std::move(done)); });
  }
  void mark_published(const std::vector<std::string>& ids, int64_t now_ms) {
    await_done([&](auto done) { outbox_.mark_published(ids, now_ms, std::move(done)); });
  }
  std::optional<int64_t> oldest_unpublished_ms() {
    return await_result<std::optional<int64_t>>([&](auto done) { outbox_.oldest_unpublished_ms(std::move(done)); });
  }
  // Everything unpublished, as relays would see it: claims and marks rounds until none is left, so
  // the result is in per-subject order (and the events end up published). Claims at `now_ms`, far
  // enough in the future by default that every test lease has ended.
  std::vector<events::Event> drain(int64_t now_ms = int64_t{1} << 50) {
    std::vector<events::Event> all;
    for (;;) {
      auto batch = claim(1000, {"test-drain", now_ms, now_ms + 1});
      if (batch.empty()) return all;
      std::vector<std::string> ids;
      for (auto& e : batch) {
        ids.push_back(e.id);
        all.push_back(std::move(e));
      }
      mark_published(ids, now_ms);
    }
  }

 private:
  events::Outbox& outbox_;
};

class BlockingDeliveries {
 public:
  explicit BlockingDeliveries(notify::DeliveryStore& deliveries) : deliveries_(deliveries) {}
  notify::DeliveryStore& port() { return deliveries_; }

  std::vector<bool> add_deliveries(const std::vector<domain::Delivery>& ds, const util::Lease& lease) {
    return await_result<std::vector<bool>>([&](auto done) { deliveries_.add_deliveries(ds, lease, std::move(done)); });
  }
  std::vector<domain::Delivery> claim_due(size_t limit, const util::Lease& lease) {
    return await_result<std::vector<domain::Delivery>>(
        [&](auto done) { deliveries_.claim_due(limit, lease, std::move(done)); });
  }
  void record_attempt(const domain::Delivery& d) {
    await_done([&](auto done) { deliveries_.record_attempt(d, std::move(done)); });
  }
  std::vector<domain::Delivery> deliveries_for_order(std::string_view order_id) {
    return await_result<std::vector<domain::Delivery>>(
        [&](auto done) { deliveries_.deliveries_for_order(std::string(order_id), std::move(done)); });
  }
  std::vector<domain::Delivery> dead_deliveries(size_t limit) {
    return await_result<std::vector<domain::Delivery>>(
        [&](auto done) { deliveries_.dead_deliveries(limit, std::move(done)); });
  }
  size_t requeue_dead(std::optional<std::string_view> event_id, int64_t now_ms) {
    return await_result<size_t>([&](auto done) {
      deliveries_.requeue_dead(event_id ? std::optional<std::string>(*event_id) : std::nullopt, now_ms,
                               std::move(done));
    });
  }
  std::optional<int64_t> next_due_ms() {
    return await_result<std::optional<int64_t>>([&](auto done) { deliveries_.next_due_ms(std::move(done)); });
  }

 private:
  notify::DeliveryStore& deliveries_;
};

class BlockingApiKeys {
 public:
  explicit BlockingApiKeys(domain::ApiKeyStore& keys) : keys_(keys) {}

  void add_api_key(const domain::ApiKey& key) {
    await_done([&](auto done) { keys_.add_api_key(key, std::move(done)); });
  }
  std::vector<domain::ApiKey> list_api_keys() {
    return await_result<std::vector<domain::ApiKey>>([&](auto done) { keys_.list_api_keys(std::move(done)); });
  }
  bool revoke_api_key(std::string_view id, int64_t now_ms) {
    return await_result<bool>([&](auto done) { keys_.revoke_api_key(std::string(id), now_ms, std::move(done)); });
  }

 private:
  domain::ApiKeyStore& keys_;
};

}  // namespace ninja::testing_support
