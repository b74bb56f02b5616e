#pragma once
// Typed domain failures. They travel as exceptions and become HTTP problems in one mapping function.
#include <stdexcept>
#include <string>
#include <vector>

#include "util/unavailable.hpp"

namespace ninja::domain {

struct FieldError {
  std::string field;  // JSON-pointer-like path, e.g. items[0].quantity
  std::string message;
  bool operator==(const FieldError&) const = default;
};

class ValidationError : public std::runtime_error {
 public:
  explicit ValidationError(std::vector<FieldError> errors)
      : std::runtime_error("validation failed"), errors_(std::move(errors)) {}
  const std::vector<FieldError>& errors() const { return errors_; }

 private:
  std::vector<FieldError> errors_;
};

class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EmailTaken : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Same idempotency key while the first request with it is still being processed.
class IdempotencyInFlight : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Same idempotency key with a different request.
class IdempotencyMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The store or the bus cannot be reached, for a reason that may pass: 503 with Retry-After
// (util/unavailable.hpp says more).
using Unavailable = util::Unavailable;

}  // namespace ninja::domain
