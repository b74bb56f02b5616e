#pragma once
// Helpers and the fixture shared by the UserService / OrderService tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "captured.hpp"
#include "domain/errors.hpp"
#include "domain/order_service.hpp"
#include "domain/user_service.hpp"
#include "fake_store.hpp"

namespace ninja::domain {
namespace {

using testing_support::Captured;

using fakes::FakeStore;
using ::testing::ElementsAre;

// The same for a remove's completion.
struct Removed {
  int calls = 0;
  std::exception_ptr error;

  std::function<void(std::exception_ptr)> done() {
    return [this](std::exception_ptr e) {
      ++calls;
      error = std::move(e);
    };
  }
  void get() const {
    EXPECT_EQ(calls, 1) << "done must be called exactly once";
    if (calls == 0) throw std::logic_error("done was never called");
    if (error) std::rethrow_exception(error);
  }
};

[[maybe_unused]] std::vector<std::string> fields_of(const ValidationError& e) {
  std::vector<std::string> out;
  for (const auto& f : e.errors()) out.push_back(f.field);
  return out;
}

// The two services wired over a store of type StoreT, with a clock the test drives.
template <class StoreT>
class ServicesOver : public ::testing::Test {
 protected:
  StoreT store;
  int64_t now = 1795498020123;
  util::UuidV7Generator ids{[this] { return now; }};
  InFlightKeys in_flight;
  IdempotentCreate creates{[this] { return now; }, in_flight, 1000};
  UserService users{store, ids, creates, [] { return std::string("whsec_dGVzdA=="); }};
  OrderService orders{store, ids, creates};

  // Reads complete at once on these stores; these wait for them and rethrow their errors.
  User get_user(const std::string& id) {
    return util::await_result<User>([&](auto done) { users.get(id, std::move(done)); });
  }
  Order get_order(const std::string& id) {
    return util::await_result<Order>([&](auto done) { orders.get(id, std::move(done)); });
  }
};

class ServicesTest : public ServicesOver<FakeStore> {
 protected:
  // Runs a create, expecting its answer through `done` exactly once; rethrows the error it got.
  CreateResult create(const CreateUser& c, const std::optional<IdempotencyContext>& key = std::nullopt) {
    Captured out;
    users.create(c, key, out.done());
    return out.get();
  }
  CreateResult create(const CreateOrder& c, const std::optional<IdempotencyContext>& key = std::nullopt) {
    Captured out;
    orders.create(c, key, out.done());
    return out.get();
  }
  void remove_user(const std::string& id) {
    Removed out;
    users.remove(id, out.done());
    out.get();
  }
  void remove_order(const std::string& id) {
    Removed out;
    orders.remove(id, out.done());
    out.get();
  }

  static CreateUser ada() {
    CreateUser c;
    c.name = "Ada";
    c.email = "ada@example.com";
    return c;
  }
  static CreateOrder an_order() {
    CreateOrder c;
    c.user_id = "0190f2a4-1b2c-7d3e-8f40-123456789abc";
    c.items = {{"A", 1, 1}};
    return c;
  }
};

}  // namespace
}  // namespace ninja::domain
