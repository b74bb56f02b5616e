#include "api/error_mapping.hpp"

#include <algorithm>

#include "api/json_input.hpp"
#include "api/request_context.hpp"
#include "domain/errors.hpp"
#include "http/problem.hpp"

namespace ninja::api {

http::Response map_exception(std::exception_ptr error) {
  using http::problem;
  try {
    std::rethrow_exception(std::move(error));
  } catch (const domain::ValidationError& e) {
    // A body of a hundred thousand unknown keys must not become a 6 MB answer: the first
    // kMaxListedErrors are listed and the detail counts them all.
    const auto& errors = e.errors();
    const size_t listed = std::min(errors.size(), kMaxListedErrors);
    std::vector<http::ProblemField> fields;
    fields.reserve(listed);
    for (size_t i = 0; i < listed; ++i) fields.push_back({errors[i].field, errors[i].message});
    const std::string detail =
        errors.size() > listed
            ? std::to_string(errors.size()) + " fields are invalid; the first " + std::to_string(listed) + " are listed"
            : "one or more fields are invalid";
    return problem(422, "validation", "Validation failed", detail, fields);
  } catch (const domain::NotFound& e) {
    return problem(404, "not-found", "Not found", e.what());
  } catch (const domain::EmailTaken& e) {
    return problem(409, "email-taken", "Email already in use", e.what());
  } catch (const domain::IdempotencyInFlight& e) {
    return problem(409, "idempotency-in-flight", "Request in progress", e.what());
  } catch (const domain::IdempotencyMismatch& e) {
    return problem(422, "idempotency-mismatch", "Idempotency-Key reused", e.what());
  } catch (const domain::Unavailable& e) {
    auto response = problem(503, "unavailable", "Service unavailable", "a backing service is unavailable, retry later");
    response.with_header("Retry-After", "1");
    response.diagnostic = e.what();
    return response;
  } catch (const MalformedJson& e) {
    return problem(400, "malformed-json", "Malformed JSON", e.what());
  } catch (const UnsupportedMediaType& e) {
    return problem(415, "unsupported-media-type", "Unsupported media type", e.what());
  } catch (const BadQuery& e) {
    return problem(400, "bad-query", "Bad query parameter", e.what());
  } catch (const BadIdempotencyKey& e) {
    return problem(400, "bad-idempotency-key", "Bad Idempotency-Key", e.what());
  } catch (const std::exception& e) {
    auto response = problem(500, "internal", "Internal error", "the request could not be completed");
    response.diagnostic = e.what();
    return response;
  } catch (...) {
    auto response = problem(500, "internal", "Internal error", "the request could not be completed");
    response.diagnostic = "a non-standard exception";
    return response;
  }
}

}  // namespace ninja::api
