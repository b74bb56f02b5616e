#pragma once
// The idempotent-create flow shared by users and orders (API.md "Idempotency").
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "domain/commands.hpp"
#include "domain/in_flight_keys.hpp"
#include "domain/store.hpp"
#include "util/uuid.hpp"

namespace ninja::domain {

struct CreateResult {
  std::string id;
  std::string body;  // the JSON representation sent with 201
  bool replayed = false;
};

// How a create ends: the result, or (error set) a domain error such as EmailTaken or
// IdempotencyMismatch, or a store failure. Called exactly once, possibly on a store thread.
using CreateDone = std::function<void(CreateResult result, std::exception_ptr error)>;

class IdempotentCreate {
 public:
  IdempotentCreate(util::MillisClock clock, InFlightKeys& in_flight, int64_t ttl_ms)
      : clock_(std::move(clock)), in_flight_(in_flight), ttl_ms_(ttl_ms) {}

  // Writes an entity through the store with `commit`, which must write the idempotency record it
  // is given (filled with `prepared`'s id and body) in the same transaction, or report the live
  // record that already holds the key. When the key was used before with the same request, answers
  // with the stored response; with another request, IdempotencyMismatch; while the first is still
  // in flight in this process, IdempotencyInFlight. Never blocks: the store's transaction is the
  // one place that decides, so no read precedes the commit.
  using Commit = std::function<void(std::optional<IdempotencyRecord> record, util::Completion<CreateOutcome>)>;
  void run(const std::optional<IdempotencyContext>& context, CreateResult prepared, const Commit& commit,
           CreateDone done);

  int64_t now_ms() const { return clock_(); }

 private:
  // What the store's answer means for the client.
  static void finish(const CreateOutcome& outcome, const std::exception_ptr& error, const CreateResult& prepared,
                     const std::optional<IdempotencyContext>& context, const CreateDone& done);

  util::MillisClock clock_;
  InFlightKeys& in_flight_;
  int64_t ttl_ms_;
};

}  // namespace ninja::domain
