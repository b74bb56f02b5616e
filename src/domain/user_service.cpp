#include "domain/user_service.hpp"

#include <boost/json/serialize.hpp>

#include "domain/errors.hpp"
#include "domain/representation.hpp"
#include "domain/validation.hpp"

namespace ninja::domain {
namespace {
constexpr std::string_view kUsersSource = "/v1/users";
}

void UserService::create(const CreateUser& command, const std::optional<IdempotencyContext>& idempotency,
                         CreateDone done) {
  if (auto errors = validate(command); !errors.empty()) throw ValidationError(std::move(errors));

  User user;
  user.id = ids_.next();
  user.name = std::string(trim(command.name));
  user.email = command.email;
  user.phone = command.phone;
  user.notify_channel = command.notify_channel;
  user.webhook_url = command.webhook_url;
  if (user.notify_channel == NotifyChannel::webhook) user.webhook_secret = secrets_();
  user.created_at_ms = creates_.now_ms();

  // The event never carries the secret; the 201 shows it once.
  auto event = events::make_event(ids_.next(), events::kUserCreated, kUsersSource, user.id, user.created_at_ms,
                                  boost::json::serialize(to_json(user)));
  CreateResult prepared{user.id, boost::json::serialize(to_json(user, SecretVisibility::shown)), false};
  creates_.run(
      idempotency, std::move(prepared),
      [&](std::optional<IdempotencyRecord> record, util::Completion<CreateOutcome> committed) {
        store_.create_user(std::move(user), std::move(event), std::move(record), std::move(committed));
      },
      std::move(done));
}

void UserService::get(std::string id, util::Completion<User> done) {
  store_.find_user(std::move(id), [done = std::move(done)](std::optional<User> found, std::exception_ptr error) {
    if (!error && !found) error = std::make_exception_ptr(NotFound("no such user"));
    done(found ? std::move(*found) : User{}, error);
  });
}

void UserService::remove(std::string id, util::Done done) {
  // The event carries the entity as it was, so the user is read first; the delete itself decides
  // (false: it vanished meanwhile).
  store_.find_user(std::move(id),
                   [this, done = std::move(done)](std::optional<User> found, std::exception_ptr error) mutable {
                     if (error) return done(error);
                     if (!found) return done(std::make_exception_ptr(NotFound("no such user")));
                     auto event = events::make_event(ids_.next(), events::kUserDeleted, kUsersSource, found->id,
                                                     creates_.now_ms(), boost::json::serialize(to_json(*found)));
                     store_.delete_user(std::move(found->id), std::move(event),
                                        [done = std::move(done)](bool deleted, std::exception_ptr error) {
                                          if (!error && !deleted)
                                            error = std::make_exception_ptr(NotFound("no such user"));
                                          done(error);
                                        });
                   });
}

void UserService::list(PageQuery query, util::Completion<Page<User>> done) {
  store_.list_users(std::move(query), std::move(done));
}

}  // namespace ninja::domain
