#include "domain/user_service.hpp"

#include <boost/json/serialize.hpp>

#include "domain/errors.hpp"
#include "domain/representation.hpp"
#include "domain/validation.hpp"

namespace ninja::domain {
namespace {
constexpr std::string_view kSource = "/v1/users";
}

CreateResult UserService::create(const CreateUser& command, const std::optional<IdempotencyContext>& idempotency) {
  if (auto errors = validate(command); !errors.empty()) throw ValidationError(std::move(errors));

  return creates_.run(idempotency, [&](storage::IdempotencyRecord* record, CreateResult& result) {
    User user;
    user.id = ids_.next();
    user.name = std::string(trim(command.name));
    user.email = command.email;
    user.phone = command.phone;
    user.notify_channel = command.notify_channel;
    user.webhook_url = command.webhook_url;
    if (user.notify_channel == NotifyChannel::webhook) user.webhook_secret = secrets_();
    user.created_at_ms = creates_.now_ms();

    auto event = events::make_event(ids_.next(), events::kUserCreated, kSource, user.id, user.created_at_ms,
                                    to_json(user));
    result.id = user.id;
    result.body = boost::json::serialize(to_json(user, SecretVisibility::shown));
    if (record) {
      record->resource_id = result.id;
      record->body = result.body;
    }
    const auto status = store_.create_user(user, event, record);
    if (status == storage::CreateStatus::email_taken) throw EmailTaken("a user with this email already exists");
    return status;
  });
}

User UserService::get(std::string_view id) {
  if (auto user = store_.find_user(id)) return std::move(*user);
  throw NotFound("no such user");
}

void UserService::remove(std::string_view id) {
  const User user = get(id);
  auto event =
      events::make_event(ids_.next(), events::kUserDeleted, kSource, user.id, creates_.now_ms(), to_json(user));
  if (!store_.delete_user(id, event)) throw NotFound("no such user");
}

storage::Page<User> UserService::list(const storage::PageQuery& query) { return store_.list_users(query); }

}  // namespace ninja::domain
