#pragma once
// The fixture and helpers shared by the IdempotentCreate tests.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "domain/errors.hpp"
#include "domain/idempotent_create.hpp"
#include "captured.hpp"
#include "fake_store.hpp"

namespace ninja::domain {
namespace {

using testing_support::Captured;

using fakes::FakeStore;
using storage::CreateStatus;
using storage::IdempotencyRecord;
using Record = std::optional<IdempotencyRecord>;
using Committed = storage::Completion<CreateStatus>;

constexpr int64_t kTtl = 86400000;


class IdempotentCreateTest : public ::testing::Test {
 protected:
  FakeStore store;
  int64_t now = 1795498020123;
  InFlightKeys in_flight;
  IdempotentCreate creates{store, [this] { return now; }, in_flight, kTtl};
  int commits = 0;

  // What a service prepares for the entity `id`.
  static CreateResult prepared(const std::string& id) { return CreateResult{id, "{\"id\":\"" + id + "\"}", false}; }

  // A commit that behaves like a service: writes the entity and the record it is given through the store.
  IdempotentCreate::Commit commit_order(std::string id) {
    return [this, id](Record record, Committed done) {
      ++commits;
      domain::Order order;
      order.id = id;
      store.create_order(std::move(order), events::Event{}, std::move(record), std::move(done));
    };
  }

  // A commit whose store answers `status` (or fails with `error`) at once and writes nothing.
  IdempotentCreate::Commit commit_answering(CreateStatus status, std::exception_ptr error = nullptr) {
    return [this, status, error](Record, Committed done) {
      ++commits;
      done(status, error);
    };
  }

  // Runs a create and returns its result, or rethrows the error `done` delivered.
  CreateResult run(const std::optional<IdempotencyContext>& context, CreateResult p,
                   const IdempotentCreate::Commit& commit) {
    Captured out;
    creates.run(context, std::move(p), commit, out.done());
    return out.get();
  }
  CreateResult create(const std::optional<IdempotencyContext>& context, const std::string& id) {
    return run(context, prepared(id), commit_order(id));
  }

  // A `done` that records into `first`, then at once starts a retry with `context` (like a client
  // retrying the moment it hears back) whose outcome goes to `retry`.
  CreateDone then_retry(Captured& first, Captured& retry, IdempotencyContext context, std::string id) {
    return [this, &first, &retry, context, id](CreateResult r, std::exception_ptr e) {
      first.done()(std::move(r), std::move(e));
      creates.run(context, prepared(id), commit_order(id), retry.done());
    };
  }

  static IdempotencyContext context(std::string key, std::string fingerprint = "fp-1", std::string scope = "") {
    return IdempotencyContext{std::move(scope), std::move(key), std::move(fingerprint)};
  }
};

}  // namespace
}  // namespace ninja::domain
