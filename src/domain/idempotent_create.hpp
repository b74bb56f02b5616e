#pragma once
// The idempotent-create flow shared by users and orders (API.md "Idempotency").
#include <functional>
#include <optional>
#include <string>

#include "domain/commands.hpp"
#include "domain/in_flight_keys.hpp"
#include "storage/store.hpp"
#include "util/uuid.hpp"

namespace ninja::domain {

struct CreateResult {
  std::string id;
  std::string body;  // the JSON representation sent with 201
  bool replayed = false;
};

class IdempotentCreate {
 public:
  IdempotentCreate(storage::Store& store, util::MillisClock clock, InFlightKeys& in_flight, int64_t ttl_ms)
      : store_(store), clock_(std::move(clock)), in_flight_(in_flight), ttl_ms_(ttl_ms) {}

  // Commits a new entity through `commit`, which must write the record it is given (when not null)
  // in the same transaction, after filling its resource_id and body. Returns the stored response
  // instead when the key was used before with the same request; throws IdempotencyMismatch or
  // IdempotencyInFlight otherwise. `commit` returns the status and fills the result.
  using Commit = std::function<storage::CreateStatus(storage::IdempotencyRecord* record, CreateResult& result)>;
  CreateResult run(const std::optional<IdempotencyContext>& context, const Commit& commit);

  int64_t now_ms() const { return clock_(); }

 private:
  CreateResult replay(const storage::IdempotencyRecord& record, const IdempotencyContext& context) const;

  storage::Store& store_;
  util::MillisClock clock_;
  InFlightKeys& in_flight_;
  int64_t ttl_ms_;
};

}  // namespace ninja::domain
