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

  storage::CreateStatus create_user(const domain::User& user, const events::Event& event,
                                    const storage::IdempotencyRecord* record) override {
    ++creates;
    if (auto forced = take_forced()) return *forced;
    users[user.id] = user;
    return commit(event, record);
  }
  storage::CreateStatus create_order(const domain::Order& order, const events::Event& event,
                                     const storage::IdempotencyRecord* record) override {
    ++creates;
    if (auto forced = take_forced()) return *forced;
    orders[order.id] = order;
    return commit(event, record);
  }
  bool delete_user(std::string_view id, const events::Event& event) override {
    if (users.erase(std::string(id)) == 0) return false;
    events.push_back(event);
    return true;
  }
  bool delete_order(std::string_view id, const events::Event& event) override {
    if (orders.erase(std::string(id)) == 0) return false;
    events.push_back(event);
    return true;
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
  std::optional<storage::CreateStatus> take_forced() { return std::exchange(next_status, std::nullopt); }
  storage::CreateStatus commit(const events::Event& event, const storage::IdempotencyRecord* record) {
    events.push_back(event);
    if (record) put_idempotency(*record);
    return storage::CreateStatus::created;
  }
};

}  // namespace ninja::fakes
