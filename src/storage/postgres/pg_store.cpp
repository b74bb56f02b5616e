#include "storage/postgres/pg_store.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "storage/postgres/pg_rows.hpp"

namespace ninja::storage::postgres {
namespace {

using domain::CreateOutcome;
using domain::CreateStatus;

// Ids are lower-case hex and '-', all of which sort before '~': the "before" bound of a first page.
constexpr std::string_view kAfterAllIds = "~";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A create claims its idempotency key ($1..$7) before anything else: a live record under the key
// (also one another transaction commits meanwhile: the insert waits for it) leaves `claim` empty
// and nothing else is written; an expired one is replaced, as the key is free again.
#define NINJA_CLAIM_KEY                                                                                  \
  "claim AS (INSERT INTO idempotency_keys AS k (scope, key, fingerprint, resource_id, body, created_at," \
  " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (scope, key) DO UPDATE SET"              \
  " fingerprint = EXCLUDED.fingerprint, resource_id = EXCLUDED.resource_id, body = EXCLUDED.body,"       \
  " created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at"                                  \
  " WHERE k.expires_at <= EXCLUDED.created_at RETURNING 1)"

// Each create's first statement answers (key claimed, allowed, entity created): 1/0 each.
constexpr const char* kCreateUserWithKey =
    "WITH " NINJA_CLAIM_KEY
    ", entity AS (INSERT INTO users (id, name, email, email_key, phone, notify_channel, webhook_url, webhook_secret,"
    " created_at) SELECT $13::text, $14::text, $15::text, $16::text, $17::text, $18::text, $19::text, $20::text,"
    " $21::bigint FROM claim ON CONFLICT (email_key) DO NOTHING RETURNING 1)"
    ", event AS (INSERT INTO outbox (event_id, type, subject, payload, created_at)"
    " SELECT $8::text, $9::text, $10::text, $11::text, $12::bigint FROM entity RETURNING 1)"
    " SELECT (SELECT count(*) FROM claim), (SELECT count(*) FROM entity), (SELECT count(*) FROM event)";

constexpr const char* kCreateUser =
    "WITH entity AS (INSERT INTO users (id, name, email, email_key, phone, notify_channel, webhook_url,"
    " webhook_secret, created_at) VALUES ($6, $7, $8, $9, $10, $11, $12, $13, $14)"
    " ON CONFLICT (email_key) DO NOTHING RETURNING 1)"
    ", event AS (INSERT INTO outbox (event_id, type, subject, payload, created_at)"
    " SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint FROM entity RETURNING 1)"
    " SELECT 1, (SELECT count(*) FROM entity), (SELECT count(*) FROM event)";

// The order's user is locked (FOR KEY SHARE) so a concurrent delete of it waits for this commit,
// or, if it committed first, leaves `owner` empty: user_missing is decided in the transaction.
constexpr const char* kCreateOrderWithKey =
    "WITH " NINJA_CLAIM_KEY
    ", owner AS (SELECT 1 FROM users WHERE id = $14 FOR KEY SHARE)"
    ", entity AS (INSERT INTO orders (id, user_id, items, currency, total, status, note, created_at)"
    " SELECT $13::text, $14::text, $15::text, $16::text, $17::bigint, $18::text, $19::text, $20::bigint"
    " FROM claim, owner RETURNING 1)"
    ", event AS (INSERT INTO outbox (event_id, type, subject, payload, created_at)"
    " SELECT $8::text, $9::text, $10::text, $11::text, $12::bigint FROM entity RETURNING 1)"
    " SELECT (SELECT count(*) FROM claim), (SELECT count(*) FROM owner), (SELECT count(*) FROM entity)";

constexpr const char* kCreateOrder =
    "WITH owner AS (SELECT 1 FROM users WHERE id = $7 FOR KEY SHARE)"
    ", entity AS (INSERT INTO orders (id, user_id, items, currency, total, status, note, created_at)"
    " SELECT $6::text, $7::text, $8::text, $9::text, $10::bigint, $11::text, $12::text, $13::bigint"
    " FROM owner RETURNING 1)"
    ", event AS (INSERT INTO outbox (event_id, type, subject, payload, created_at)"
    " SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint FROM entity RETURNING 1)"
    " SELECT 1, (SELECT count(*) FROM owner), (SELECT count(*) FROM entity)";

// A create with a key, second statement: gives back its claim if its entity did not go in (its
// event is not in the outbox), and reads the live record under the key, for the replay when the
// claim failed. A later statement than the claim, so it sees a record that committed meanwhile.
constexpr const char* kReleaseAndReadKey =
    "WITH released AS (DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND resource_id = $3"
    " AND created_at = $4 AND NOT EXISTS (SELECT 1 FROM outbox WHERE event_id = $5) RETURNING 1)"
    " SELECT " NINJA_PG_IDEMPOTENCY_COLUMNS " FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at > $4";

// Statements whose parameters start with the idempotency record (when there is one) and the event.
std::vector<Param> leading_params(const std::optional<domain::IdempotencyRecord>& r, const events::Event& event) {
  std::vector<Param> params;
  if (r) {
    for (auto p : {param(r->scope), param(r->key), param(r->fingerprint), param(r->resource_id), param(r->body),
                   param(r->created_at_ms), param(r->expires_at_ms)}) {
      params.push_back(std::move(p));
    }
  }
  for (auto p :
       {param(event.id), param(event.type), param(event.subject), param(event.payload), param(event.time_ms)}) {
    params.push_back(std::move(p));
  }
  return params;
}

std::vector<Statement> with_key_release(Statement create, const std::optional<domain::IdempotencyRecord>& r,
                                        const events::Event& event) {
  std::vector<Statement> statements;
  statements.push_back(std::move(create));
  if (r) {
    statements.push_back(statement(kReleaseAndReadKey, r->scope, r->key, r->resource_id, r->created_at_ms, event.id));
  }
  return statements;
}

constexpr const char* kDeleteUser =
    "WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING id) INSERT INTO outbox (event_id, type, subject,"
    " payload, created_at) SELECT $2::text, $3::text, $4::text, $5::text, $6::bigint FROM gone RETURNING 1";
constexpr const char* kDeleteOrder =
    "WITH gone AS (DELETE FROM orders WHERE id = $1 RETURNING id) INSERT INTO outbox (event_id, type, subject,"
    " payload, created_at) SELECT $2::text, $3::text, $4::text, $5::text, $6::bigint FROM gone RETURNING 1";

template <class T, class Read>
domain::Page<T> read_page(const PgResult& result, size_t limit, Read read) {
  domain::Page<T> page;
  const int rows = result.rows();
  for (int row = 0; row < rows; ++row) {
    if (page.items.size() == limit) {
      page.has_more = true;
      break;
    }
    page.items.push_back(read(result, row));
  }
  return page;
}

}  // namespace

PgStore::PgStore(std::shared_ptr<PgShared> shared) : shared_(std::move(shared)) {}

void PgStore::ready(util::Completion<bool> done) {
  query<bool>(
      *shared_->pool, statement("SELECT 1"), [](const PgResult& r) { return r.rows() == 1; }, std::move(done));
}

void PgStore::create(std::vector<Statement> statements, const std::optional<domain::IdempotencyRecord>& idempotency,
                     CreateStatus refused, util::Completion<CreateOutcome> done) {
  std::optional<std::pair<std::string, std::string>> key;
  if (idempotency) key.emplace(idempotency->scope, idempotency->key);
  group_write<CreateOutcome>(
      shared_->writes(), std::move(statements),
      [key = std::move(key), refused](std::vector<PgResult>& results) {
        const PgResult& answer = results.front();
        if (answer.int64(0, 0) == 0) {
          CreateOutcome outcome{CreateStatus::idempotency_taken, std::nullopt};
          const PgResult& record = results.at(1);
          if (record.rows() > 0) outcome.existing = read_idempotency(record, 0, key->first, key->second);
          return outcome;
        }
        if (answer.int64(0, 1) == 0) return CreateOutcome{refused, std::nullopt};
        if (answer.int64(0, 2) == 1) return CreateOutcome{};
        throw std::runtime_error("postgres: a create was allowed but wrote nothing");
      },
      std::move(done));
}

void PgStore::create_user(domain::User user, events::Event event, std::optional<domain::IdempotencyRecord> idempotency,
                          util::Completion<CreateOutcome> done) {
  Statement insert{idempotency ? kCreateUserWithKey : kCreateUser, leading_params(idempotency, event)};
  for (auto p : {param(user.id), param(user.name), param(user.email), param(lower(user.email)), param(user.phone),
                 param(domain::to_string(user.notify_channel)), param(user.webhook_url), param(user.webhook_secret),
                 param(user.created_at_ms)}) {
    insert.params.push_back(std::move(p));
  }
  create(with_key_release(std::move(insert), idempotency, event), idempotency, CreateStatus::email_taken,
         std::move(done));
}

void PgStore::create_order(domain::Order order, events::Event event,
                           std::optional<domain::IdempotencyRecord> idempotency, util::Completion<CreateOutcome> done) {
  Statement insert{idempotency ? kCreateOrderWithKey : kCreateOrder, leading_params(idempotency, event)};
  for (auto p : {param(order.id), param(order.user_id), param(items_json(order.items)), param(order.currency),
                 param(order.total), param(order.status), param(order.note), param(order.created_at_ms)}) {
    insert.params.push_back(std::move(p));
  }
  create(with_key_release(std::move(insert), idempotency, event), idempotency, CreateStatus::user_missing,
         std::move(done));
}

void PgStore::delete_user(std::string id, events::Event event, util::Completion<bool> done) {
  group_write<bool>(
      shared_->writes(),
      {statement(kDeleteUser, id, event.id, event.type, event.subject, event.payload, event.time_ms)},
      [](std::vector<PgResult>& results) { return results.front().rows() == 1; }, std::move(done));
}

void PgStore::delete_order(std::string id, events::Event event, util::Completion<bool> done) {
  group_write<bool>(
      shared_->writes(),
      {statement(kDeleteOrder, id, event.id, event.type, event.subject, event.payload, event.time_ms)},
      [](std::vector<PgResult>& results) { return results.front().rows() == 1; }, std::move(done));
}

void PgStore::find_user(std::string id, util::Completion<std::optional<domain::User>> done) {
  query<std::optional<domain::User>>(
      *shared_->pool, statement("SELECT " NINJA_PG_USER_COLUMNS " FROM users WHERE id = $1", id),
      [](const PgResult& r) -> std::optional<domain::User> {
        if (r.rows() == 0) return std::nullopt;
        return read_user(r, 0);
      },
      std::move(done));
}

void PgStore::find_order(std::string id, util::Completion<std::optional<domain::Order>> done) {
  query<std::optional<domain::Order>>(
      *shared_->pool, statement("SELECT " NINJA_PG_ORDER_COLUMNS " FROM orders WHERE id = $1", id),
      [](const PgResult& r) -> std::optional<domain::Order> {
        if (r.rows() == 0) return std::nullopt;
        return read_order(r, 0);
      },
      std::move(done));
}

void PgStore::find_user_by_email(std::string email, util::Completion<std::optional<domain::User>> done) {
  query<std::optional<domain::User>>(
      *shared_->pool, statement("SELECT " NINJA_PG_USER_COLUMNS " FROM users WHERE email_key = $1", lower(email)),
      [](const PgResult& r) -> std::optional<domain::User> {
        if (r.rows() == 0) return std::nullopt;
        return read_user(r, 0);
      },
      std::move(done));
}

void PgStore::list_users(domain::PageQuery page, util::Completion<domain::Page<domain::User>> done) {
  query<domain::Page<domain::User>>(
      *shared_->pool,
      statement("SELECT " NINJA_PG_USER_COLUMNS " FROM users WHERE id < $1 ORDER BY id DESC LIMIT $2",
                page.before_id.value_or(std::string(kAfterAllIds)), page.limit + 1),
      [limit = page.limit](const PgResult& r) { return read_page<domain::User>(r, limit, read_user); },
      std::move(done));
}

void PgStore::list_orders(domain::PageQuery page, std::optional<std::string> user_id,
                          util::Completion<domain::Page<domain::Order>> done) {
  const std::string before = page.before_id.value_or(std::string(kAfterAllIds));
  auto select = user_id
                    ? statement("SELECT " NINJA_PG_ORDER_COLUMNS
                                " FROM orders WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                                *user_id, before, page.limit + 1)
                    : statement("SELECT " NINJA_PG_ORDER_COLUMNS " FROM orders WHERE id < $1 ORDER BY id DESC LIMIT $2",
                                before, page.limit + 1);
  query<domain::Page<domain::Order>>(
      *shared_->pool, std::move(select),
      [limit = page.limit](const PgResult& r) { return read_page<domain::Order>(r, limit, read_order); },
      std::move(done));
}

void PgStore::find_idempotency(std::string scope, std::string key, int64_t now_ms,
                               util::Completion<std::optional<domain::IdempotencyRecord>> done) {
  auto select = statement("SELECT " NINJA_PG_IDEMPOTENCY_COLUMNS
                          " FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at > $3",
                          scope, key, now_ms);
  query<std::optional<domain::IdempotencyRecord>>(
      *shared_->pool, std::move(select),
      [scope = std::move(scope), key = std::move(key)](const PgResult& r) -> std::optional<domain::IdempotencyRecord> {
        if (r.rows() == 0) return std::nullopt;
        return read_idempotency(r, 0, scope, key);
      },
      std::move(done));
}

void PgStore::purge_idempotency(int64_t now_ms, util::Completion<size_t> done) {
  query<size_t>(
      *shared_->pool, statement("DELETE FROM idempotency_keys WHERE expires_at <= $1", now_ms),
      [](const PgResult& r) { return static_cast<size_t>(r.affected_rows()); }, std::move(done));
}

}  // namespace ninja::storage::postgres
