#include "domain/idempotent_create.hpp"

#include <memory>

#include "domain/errors.hpp"

namespace ninja::domain {
namespace {

// The stored response for a retry, or the mismatch error for a different request.
void replay(const IdempotencyRecord& record, const IdempotencyContext& context, const CreateDone& done) {
  if (record.fingerprint != context.fingerprint) {
    done({}, std::make_exception_ptr(IdempotencyMismatch("this Idempotency-Key was used with a different request")));
    return;
  }
  done(CreateResult{record.resource_id, record.body, true}, nullptr);
}

std::exception_ptr in_flight() {
  return std::make_exception_ptr(IdempotencyInFlight("a request with this Idempotency-Key is still being processed"));
}

}  // namespace

void IdempotentCreate::finish(const CreateOutcome& outcome, const std::exception_ptr& error,
                              const CreateResult& prepared, const std::optional<IdempotencyContext>& context,
                              const CreateDone& done) {
  if (error) return done({}, error);
  switch (outcome.status) {
    case CreateStatus::created:
      return done(prepared, nullptr);
    case CreateStatus::email_taken:
      return done({}, std::make_exception_ptr(EmailTaken("a user with this email already exists")));
    case CreateStatus::user_missing:
      return done({}, std::make_exception_ptr(
                          ValidationError(std::vector<FieldError>{{"user_id", "no live user has this id"}})));
    case CreateStatus::idempotency_taken:
      // A retry (or another process that committed this key first): answer as the first did.
      if (context && outcome.existing) return replay(*outcome.existing, *context, done);
      return done({}, in_flight());
  }
}

void IdempotentCreate::run(const std::optional<IdempotencyContext>& context, CreateResult prepared,
                           const Commit& commit, CreateDone done) {
  if (!context) {
    commit(std::nullopt, [prepared = std::move(prepared), done = std::move(done)](const CreateOutcome& outcome,
                                                                                  const std::exception_ptr& error) {
      finish(outcome, error, prepared, std::nullopt, done);
    });
    return;
  }
  auto lease = in_flight_.try_acquire(context->scope + '\n' + context->key);
  if (!lease) return done({}, in_flight());

  const int64_t now = clock_();
  IdempotencyRecord record{context->scope, context->key, context->fingerprint, prepared.id,
                           prepared.body,  now,          now + ttl_ms_};
  // The lease lives until the commit is decided, so a concurrent duplicate gets 409 meanwhile; it
  // is released before the client hears back, so a retry after the answer finds the record.
  auto held = std::make_shared<std::optional<InFlightKeys::Lease>>(std::move(lease));
  commit(std::move(record), [held, context = *context, prepared = std::move(prepared), done = std::move(done)](
                                const CreateOutcome& outcome, const std::exception_ptr& error) {
    held->reset();
    finish(outcome, error, prepared, context, done);
  });
}

}  // namespace ninja::domain
