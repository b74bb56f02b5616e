#pragma once
// The fixture and helpers shared by the IdempotentCreate tests.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "captured.hpp"
#include "domain/errors.hpp"
#include "domain/idempotent_create.hpp"
#include "fake_store.hpp"

namespace ninja::domain {
namespace {

using testing_support::Captured;

using domain::CreateOutcome;
using domain::CreateStatus;
using domain::IdempotencyRecord;
using fakes::FakeStore;
using Record = std::optional<IdempotencyRecord>;
using Committed = util::Completion<CreateOutcome>;

constexpr int64_t kTtl = 86400000;

class IdempotentCreateTest : public ::testing::Test {
 protected:
  FakeStore store;
  int64_t now = 1795498020123;
  InFlightKeys in_flight;
  IdempotentCreate creates{[this] { return now; }, in_flight, kTtl};
  int commits = 0;

  // What a service prepares for the entity `id`.
  static CreateResult prepared(const std::string& id) { return CreateResult{id, "{\"id\":\"" + id + "\"}", false}; }

  // A commit that behaves like a service: writes the entity and the record it is given through
  // `via` (the FakeStore unless told), whose transaction decides on the key.
  IdempotentCreate::Commit commit_order(std::string id) { return commit_order(std::move(id), store); }
  IdempotentCreate::Commit commit_order(std::string id, Store& via) {
    return [this, id, &via](Record record, Committed done) {
      ++commits;
      domain::Order order;
      order.id = id;
      via.create_order(std::move(order), events::Event{}, std::move(record), std::move(done));
    };
  }

  // A commit whose store answers `status` (with `existing`, or fails with `error`) at once and
  // writes nothing.
  IdempotentCreate::Commit commit_answering(CreateStatus status, std::exception_ptr error = nullptr,
                                            Record existing = std::nullopt) {
    return [this, status, error, existing](Record, Committed done) {
      ++commits;
      done(CreateOutcome{status, existing}, error);
    };
  }
  // A commit whose store finds `winner` live under the key: idempotency_taken, nothing written.
  IdempotentCreate::Commit commit_taken_by(IdempotencyRecord winner) {
    return commit_answering(CreateStatus::idempotency_taken, nullptr, std::move(winner));
  }

  // The record another process committed for key k1 (scope "") with `fingerprint`.
  IdempotencyRecord theirs(std::string fingerprint = "fp-1") const {
    return {"", "k1", std::move(fingerprint), "theirs", "{\"id\":\"theirs\"}", now, now + kTtl};
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
  // retrying the moment it hears back) whose outcome goes to `retry`; the retry commits with
  // `commit`, or through the FakeStore.
  CreateDone then_retry(Captured& first, Captured& retry, std::optional<IdempotencyContext> context, std::string id,
                        IdempotentCreate::Commit commit = {}) {
    if (!commit) commit = commit_order(id);
    return [this, &first, &retry, context, id, commit](CreateResult r, std::exception_ptr e) {
      first.done()(std::move(r), std::move(e));
      creates.run(context, prepared(id), commit, retry.done());
    };
  }

  static IdempotencyContext context(std::string key, std::string fingerprint = "fp-1", std::string scope = "") {
    return IdempotencyContext{std::move(scope), std::move(key), std::move(fingerprint)};
  }
};

}  // namespace
}  // namespace ninja::domain
