#include "domain/idempotent_create.hpp"

#include "domain/errors.hpp"

namespace ninja::domain {

CreateResult IdempotentCreate::replay(const storage::IdempotencyRecord& record,
                                      const IdempotencyContext& context) const {
  if (record.fingerprint != context.fingerprint) {
    throw IdempotencyMismatch("this Idempotency-Key was used with a different request");
  }
  return CreateResult{record.resource_id, record.body, true};
}

CreateResult IdempotentCreate::run(const std::optional<IdempotencyContext>& context, const Commit& commit) {
  CreateResult result;
  if (!context) {
    commit(nullptr, result);
    return result;
  }
  auto lease = in_flight_.try_acquire(context->scope + '\n' + context->key);
  if (!lease) throw IdempotencyInFlight("a request with this Idempotency-Key is still being processed");

  const int64_t now = clock_();
  if (auto existing = store_.find_idempotency(context->scope, context->key, now)) return replay(*existing, *context);

  storage::IdempotencyRecord record{context->scope, context->key, context->fingerprint, {}, {}, now, now + ttl_ms_};
  if (commit(&record, result) != storage::CreateStatus::idempotency_taken) return result;

  // Another process committed this key first; our transaction wrote nothing. Answer as it did.
  if (auto existing = store_.find_idempotency(context->scope, context->key, clock_())) {
    return replay(*existing, *context);
  }
  throw IdempotencyInFlight("a request with this Idempotency-Key is still being processed");
}

}  // namespace ninja::domain
