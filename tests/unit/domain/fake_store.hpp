#pragma once
// A small in-memory storage::Store for domain-logic tests: it keeps idempotency records, users and
// orders in maps and can be told to answer the next create with a given status.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace ninja::fakes {

class FakeStore final : public storage::Store {
 public:
  std::map<std::string, storage::IdempotencyRecord> idempotency;  // scope + '\n' + key
  std::map<std::string, domain::User> users;
  std::map<std::string, domain::Order> orders;
  std::vector<events::Event> events;
  std::optional<storage::CreateStatus> next_status;  // forced answer of the next create (nothing written)
  int creates = 0;

  bool is_ready = true;
  bool ready() override { return is_ready; }

  // Writes complete at once, on the calling thread, as if committed.
  using storage::Store::create_order;
  using storage::Store::create_user;
  using storage::Store::delete_order;
  using storage::Store::delete_user;
  void create_user(domain::User user, events::Event event, std::optional<storage::IdempotencyRecord> record,
                   storage::Completion<storage::CreateOutcome> done) override {
    ++creates;
    if (auto refused = refuse(record)) return done(*refused, nullptr);
    users[user.id] = user;
    done(commit(event, record), nullptr);
  }
  void create_order(domain::Order order, events::Event event, std::optional<storage::IdempotencyRecord> record,
                    storage::Completion<storage::CreateOutcome> done) override {
    ++creates;
    if (auto refused = refuse(record)) return done(*refused, nullptr);
    orders[order.id] = order;
    done(commit(event, record), nullptr);
  }
  void delete_user(std::string id, events::Event event, storage::Completion<bool> done) override {
    if (users.erase(id) == 0) return done(false, nullptr);
    events.push_back(event);
    done(true, nullptr);
  }
  void delete_order(std::string id, events::Event event, storage::Completion<bool> done) override {
    if (orders.erase(id) == 0) return done(false, nullptr);
    events.push_back(event);
    done(true, nullptr);
  }
  std::optional<domain::User> find_user(std::string_view id) override {
    auto it = users.find(std::string(id));
    return it == users.end() ? std::nullopt : std::optional(it->second);
  }
  std::optional<domain::Order> find_order(std::string_view id) override {
    auto it = orders.find(std::string(id));
    return it == orders.end() ? std::nullopt : std::optional(it->second);
  }
  storage::Page<domain::User> list_users(const storage::PageQuery&) override { return {}; }
  storage::Page<domain::Order> list_orders(const storage::PageQuery&, std::optional<std::string_view>) override {
    return {};
  }
  std::optional<storage::IdempotencyRecord> find_idempotency(std::string_view scope, std::string_view key,
                                                             int64_t now_ms) override {
    auto it = idempotency.find(std::string(scope) + '\n' + std::string(key));
    if (it == idempotency.end() || it->second.expires_at_ms <= now_ms) return std::nullopt;
    return it->second;
  }
  size_t purge_idempotency(int64_t) override { return 0; }
  std::vector<events::Event> unpublished_events(size_t) override { return events; }

  void put_idempotency(const storage::IdempotencyRecord& record) {
    idempotency[record.scope + '\n' + record.key] = record;
  }

 private:
  // The forced status, or idempotency_taken with the live record holding the key (as a real store
  // decides inside its transaction); nothing is written then.
  std::optional<storage::CreateOutcome> refuse(const std::optional<storage::IdempotencyRecord>& record) {
    if (auto forced = std::exchange(next_status, std::nullopt)) {
      std::optional<storage::IdempotencyRecord> existing;
      if (*forced == storage::CreateStatus::idempotency_taken && record) {
        existing = find_idempotency(record->scope, record->key, record->created_at_ms);
      }
      return storage::CreateOutcome{*forced, existing};
    }
    if (record) {
      if (auto live = find_idempotency(record->scope, record->key, record->created_at_ms)) {
        return storage::CreateOutcome{storage::CreateStatus::idempotency_taken, live};
      }
    }
    return std::nullopt;
  }
  storage::CreateOutcome commit(const events::Event& event, const std::optional<storage::IdempotencyRecord>& record) {
    events.push_back(event);
    if (record) put_idempotency(*record);
    return storage::CreateOutcome{};
  }
};

}  // namespace ninja::fakes
