#pragma once
// A small in-memory domain::Store for domain-logic tests: it keeps idempotency records, users and
// orders in maps and can be told to answer the next create with a given status. Every call
// completes at once, on the calling thread, as if committed.
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/store.hpp"

namespace ninja::fakes {

class FakeStore final : public domain::Store {
 public:
  std::map<std::string, domain::IdempotencyRecord> idempotency;  // scope + '\n' + key
  std::map<std::string, domain::User> users;
  std::map<std::string, domain::Order> orders;
  std::vector<events::Event> events;
  std::optional<domain::CreateStatus> next_status;  // forced answer of the next create (nothing written)
  int creates = 0;

  bool is_ready = true;
  std::exception_ptr ready_error;  // set: ready() fails with it
  void ready(util::Completion<bool> done) override { done(is_ready, ready_error); }

  void create_user(domain::User user, events::Event event, std::optional<domain::IdempotencyRecord> record,
                   util::Completion<domain::CreateOutcome> done) override {
    ++creates;
    if (auto refused = refuse(record)) return done(*refused, nullptr);
    users[user.id] = user;
    done(commit(event, record), nullptr);
  }
  void create_order(domain::Order order, events::Event event, std::optional<domain::IdempotencyRecord> record,
                    util::Completion<domain::CreateOutcome> done) override {
    ++creates;
    if (auto refused = refuse(record)) return done(*refused, nullptr);
    orders[order.id] = order;
    done(commit(event, record), nullptr);
  }
  void delete_user(std::string id, events::Event event, util::Completion<bool> done) override {
    if (users.erase(id) == 0) return done(false, nullptr);
    events.push_back(event);
    done(true, nullptr);
  }
  void delete_order(std::string id, events::Event event, util::Completion<bool> done) override {
    if (orders.erase(id) == 0) return done(false, nullptr);
    events.push_back(event);
    done(true, nullptr);
  }
  void find_user(std::string id, util::Completion<std::optional<domain::User>> done) override {
    auto it = users.find(id);
    done(it == users.end() ? std::nullopt : std::optional(it->second), nullptr);
  }
  void find_order(std::string id, util::Completion<std::optional<domain::Order>> done) override {
    auto it = orders.find(id);
    done(it == orders.end() ? std::nullopt : std::optional(it->second), nullptr);
  }
  void find_user_by_email(std::string email, util::Completion<std::optional<domain::User>> done) override {
    const auto lower = [](std::string s) {
      for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    for (const auto& [id, user] : users) {
      if (lower(user.email) == lower(email)) return done(user, nullptr);
    }
    done(std::nullopt, nullptr);
  }
  void list_users(domain::PageQuery, util::Completion<domain::Page<domain::User>> done) override {
    domain::Page<domain::User> page;
    for (auto it = users.rbegin(); it != users.rend(); ++it) page.items.push_back(it->second);
    done(std::move(page), nullptr);
  }
  void list_orders(domain::PageQuery, std::optional<std::string> user_id,
                   util::Completion<domain::Page<domain::Order>> done) override {
    domain::Page<domain::Order> page;
    for (auto it = orders.rbegin(); it != orders.rend(); ++it) {
      if (!user_id || it->second.user_id == *user_id) page.items.push_back(it->second);
    }
    done(std::move(page), nullptr);
  }
  void find_idempotency(std::string scope, std::string key, int64_t now_ms,
                        util::Completion<std::optional<domain::IdempotencyRecord>> done) override {
    done(live_record(scope, key, now_ms), nullptr);
  }
  void purge_idempotency(int64_t, util::Completion<size_t> done) override { done(0, nullptr); }

  void put_idempotency(const domain::IdempotencyRecord& record) {
    idempotency[record.scope + '\n' + record.key] = record;
  }

 private:
  std::optional<domain::IdempotencyRecord> live_record(const std::string& scope, const std::string& key,
                                                       int64_t now_ms) const {
    auto it = idempotency.find(scope + '\n' + key);
    if (it == idempotency.end() || it->second.expires_at_ms <= now_ms) return std::nullopt;
    return it->second;
  }
  // The forced status, or idempotency_taken with the live record holding the key (as a real store
  // decides inside its transaction); nothing is written then.
  std::optional<domain::CreateOutcome> refuse(const std::optional<domain::IdempotencyRecord>& record) {
    if (auto forced = std::exchange(next_status, std::nullopt)) {
      std::optional<domain::IdempotencyRecord> existing;
      if (*forced == domain::CreateStatus::idempotency_taken && record) {
        existing = live_record(record->scope, record->key, record->created_at_ms);
      }
      return domain::CreateOutcome{*forced, existing};
    }
    if (record) {
      if (auto live = live_record(record->scope, record->key, record->created_at_ms)) {
        return domain::CreateOutcome{domain::CreateStatus::idempotency_taken, live};
      }
    }
    return std::nullopt;
  }
  domain::CreateOutcome commit(const events::Event& event, const std::optional<domain::IdempotencyRecord>& record) {
    events.push_back(event);
    if (record) put_idempotency(*record);
    return domain::CreateOutcome{};
  }
};

}  // namespace ninja::fakes
