#pragma once
#include <functional>
#include <optional>
#include <string>

#include "domain/commands.hpp"
#include "domain/idempotent_create.hpp"
#include "domain/store.hpp"
#include "util/uuid.hpp"

namespace ninja::domain {

// Produces a fresh webhook signing secret (`whsec_` + base64 of 32 random bytes).
using SecretSource = std::function<std::string()>;

class UserService {
 public:
  UserService(Store& store, util::UuidV7Generator& ids, IdempotentCreate& creates, SecretSource secrets)
      : store_(store), ids_(ids), creates_(creates), secrets_(std::move(secrets)) {}

  // Throws ValidationError for an invalid command (and may throw a store failure that happens
  // before the commit is queued); everything later (EmailTaken, the idempotency
  // errors, store failures) arrives through `done`.
  void create(const CreateUser& command, const std::optional<IdempotencyContext>& idempotency, CreateDone done);
  // The user, or NotFound.
  void get(std::string id, util::Completion<User> done);
  // Deletes the user (and records ninja.user.deleted); NotFound when there is no such user.
  void remove(std::string id, util::Done done);
  void list(PageQuery query, util::Completion<Page<User>> done);

 private:
  Store& store_;
  util::UuidV7Generator& ids_;
  IdempotentCreate& creates_;
  SecretSource secrets_;
};

}  // namespace ninja::domain
