#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "domain/commands.hpp"
#include "domain/idempotent_create.hpp"
#include "storage/store.hpp"
#include "util/uuid.hpp"

namespace ninja::domain {

// Produces a fresh webhook signing secret (`whsec_` + base64 of 32 random bytes).
using SecretSource = std::function<std::string()>;

class UserService {
 public:
  UserService(storage::Store& store, util::UuidV7Generator& ids, IdempotentCreate& creates, SecretSource secrets)
      : store_(store), ids_(ids), creates_(creates), secrets_(std::move(secrets)) {}

  // Throws ValidationError for an invalid command (and may throw a store failure that happens
  // before the commit is queued); everything later (EmailTaken, the idempotency
  // errors, store failures) arrives through `done`.
  void create(const CreateUser& command, const std::optional<IdempotencyContext>& idempotency, CreateDone done);
  User get(std::string_view id);  // throws NotFound
  // Throws NotFound when there is no such user; `done` gets NotFound if it vanished meanwhile.
  void remove(std::string_view id, std::function<void(std::exception_ptr error)> done);
  storage::Page<User> list(const storage::PageQuery& query);

 private:
  storage::Store& store_;
  util::UuidV7Generator& ids_;
  IdempotentCreate& creates_;
  SecretSource secrets_;
};

}  // namespace ninja::domain
