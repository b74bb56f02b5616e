#include "storage/sqlite/sqlite_store.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

#include "domain/representation.hpp"
#include "util/time.hpp"

namespace ninja::storage::sqlite {
namespace {

// Ids are lower-case hex and '-', all of which sort before '~': the "before" bound of a first page.
constexpr std::string_view kAfterAllIds = "~";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

domain::User read_user(const Query& q) {
  domain::User user;
  user.id = q.text(0);
  user.name = q.text(1);
  user.email = q.text(2);
  user.phone = q.optional_text(3);
  user.notify_channel = domain::parse_notify_channel(q.text(4)).value_or(domain::NotifyChannel::none);
  user.webhook_url = q.optional_text(5);
  user.webhook_secret = q.optional_text(6);
  user.created_at_ms = q.int64(7);
  return user;
}

domain::Order read_order(const Query& q) {
  domain::Order order;
  order.id = q.text(0);
  order.user_id = q.text(1);
  order.items = domain::items_from_json(q.text_view(2));
  order.currency = q.text(3);
  order.total = q.int64(4);
  order.status = q.text(5);
  order.note = q.optional_text(6);
  order.created_at_ms = q.int64(7);
  return order;
}

void insert_event(Database& db, const events::Event& event) {
  db.query("INSERT INTO outbox (event_id, type, subject, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, event.id)
      .bind(2, event.type)
      .bind(3, event.subject)
      .bind(4, event.payload)
      .bind(5, event.time_ms)
      .run();
}

// The live record holding scope+key, if any: the caller then writes nothing and replays it.
std::optional<domain::IdempotencyRecord> live_idempotency_record(Database& db, const domain::IdempotencyRecord& r) {
  auto q = db.query(
      "SELECT fingerprint, resource_id, body, created_at, expires_at FROM idempotency_keys"
      " WHERE scope = ?1 AND key = ?2 AND expires_at > ?3");
  if (!q.bind(1, r.scope).bind(2, r.key).bind(3, r.created_at_ms).step()) return std::nullopt;
  return domain::IdempotencyRecord{r.scope, r.key, q.text(0), q.text(1), q.text(2), q.int64(3), q.int64(4)};
}

// idempotency_taken with the live record when the create's key is in use, else nullopt.
std::optional<domain::CreateOutcome> key_in_use(Database& db, const std::optional<domain::IdempotencyRecord>& record) {
  if (!record) return std::nullopt;
  auto existing = live_idempotency_record(db, *record);
  if (!existing) return std::nullopt;
  return domain::CreateOutcome{domain::CreateStatus::idempotency_taken, std::move(existing)};
}

// Stores the record; an expired one with the same key is replaced, since that key is free again.
void insert_idempotency(Database& db, const domain::IdempotencyRecord& r) {
  db.query(
        "INSERT OR REPLACE INTO idempotency_keys"
        " (scope, key, fingerprint, resource_id, body, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, r.scope)
      .bind(2, r.key)
      .bind(3, r.fingerprint)
      .bind(4, r.resource_id)
      .bind(5, r.body)
      .bind(6, r.created_at_ms)
      .bind(7, r.expires_at_ms)
      .run();
}

bool created(const domain::CreateOutcome& outcome) { return outcome.status == domain::CreateStatus::created; }
bool deleted(const bool& deleted) { return deleted; }

template <class T, class Read>
domain::Page<T> read_page(Query& q, size_t limit, Read read) {
  domain::Page<T> page;
  while (q.step()) {
    if (page.items.size() == limit) {
      page.has_more = true;
      break;
    }
    page.items.push_back(read(q));
  }
  return page;
}

}  // namespace

SqliteStore::SqliteStore(std::shared_ptr<SqliteFile> file) : file_(std::move(file)) {}

void SqliteStore::ready(util::Completion<bool> done) {
  if (!file_->health().failing()) {
    file_->read<bool>([](Database& db) { return db.query("SELECT 1").step(); }, std::move(done));
    return;
  }
  // The last commits failed (a full disk): ready again only once a write gets through. The probe
  // is such a write, so an instance taken out of rotation heals without any client traffic.
  file_->submit<bool>(
      [](Database& db) {
        db.query(
              "INSERT INTO write_probe (id, probed_at) VALUES (1, ?1)"
              " ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at")
            .bind(1, util::system_millis())
            .run();
        return true;
      },
      [done = std::move(done)](bool written, const std::exception_ptr& error) {
        if (error) return done(false, nullptr);  // still failing: not ready, and no internal error
        done(written, nullptr);
      });
}

template <class T>
void SqliteStore::submit(std::function<T(Database&)> work, bool (*wrote_event)(const T&), util::Completion<T> done) {
  file_->submit<T>(std::move(work), [done = std::move(done), wrote_event, &commits = file_->commits()](
                                        T outcome, std::exception_ptr error) {
    if (!error && wrote_event(outcome)) commits.notify();
    done(std::move(outcome), std::move(error));
  });
}

void SqliteStore::create_user(domain::User user, events::Event event,
                              std::optional<domain::IdempotencyRecord> idempotency,
                              util::Completion<domain::CreateOutcome> done) {
  submit<domain::CreateOutcome>(
      [user = std::move(user), event = std::move(event), idempotency = std::move(idempotency)](Database& db) {
        const std::string email_key = lower(user.email);
        // Checks first, writes after: a rejected create leaves nothing behind in the batch.
        if (auto replay = key_in_use(db, idempotency)) return *replay;
        if (db.query("SELECT 1 FROM users WHERE email_key = ?1").bind(1, email_key).step()) {
          return domain::CreateOutcome{domain::CreateStatus::email_taken, std::nullopt};
        }
        if (idempotency) insert_idempotency(db, *idempotency);
        db.query(
              "INSERT INTO users (id, name, email, email_key, phone, notify_channel, webhook_url, webhook_secret,"
              " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .bind(1, user.id)
            .bind(2, user.name)
            .bind(3, user.email)
            .bind(4, email_key)
            .bind(5, user.phone)
            .bind(6, domain::to_string(user.notify_channel))
            .bind(7, user.webhook_url)
            .bind(8, user.webhook_secret)
            .bind(9, user.created_at_ms)
            .run();
        insert_event(db, event);
        return domain::CreateOutcome{};
      },
      created, std::move(done));
}

void SqliteStore::create_order(domain::Order order, events::Event event,
                               std::optional<domain::IdempotencyRecord> idempotency,
                               util::Completion<domain::CreateOutcome> done) {
  submit<domain::CreateOutcome>(
      [order = std::move(order), event = std::move(event), idempotency = std::move(idempotency)](Database& db) {
        if (auto replay = key_in_use(db, idempotency)) return *replay;
        if (!db.query("SELECT 1 FROM users WHERE id = ?1").bind(1, order.user_id).step()) {
          return domain::CreateOutcome{domain::CreateStatus::user_missing, std::nullopt};
        }
        if (idempotency) insert_idempotency(db, *idempotency);
        const std::string items = boost::json::serialize(domain::items_to_json(order.items));
        db.query(
              "INSERT INTO orders (id, user_id, items, currency, total, status, note, created_at)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .bind(1, order.id)
            .bind(2, order.user_id)
            .bind(3, items)
            .bind(4, order.currency)
            .bind(5, order.total)
            .bind(6, order.status)
            .bind(7, order.note)
            .bind(8, order.created_at_ms)
            .run();
        insert_event(db, event);
        return domain::CreateOutcome{};
      },
      created, std::move(done));
}

void SqliteStore::delete_user(std::string id, events::Event event, util::Completion<bool> done) {
  submit<bool>(
      [id = std::move(id), event = std::move(event)](Database& db) {
        db.query("DELETE FROM users WHERE id = ?1").bind(1, id).run();
        const bool deleted = db.changes() == 1;
        if (deleted) insert_event(db, event);
        return deleted;
      },
      deleted, std::move(done));
}

void SqliteStore::delete_order(std::string id, events::Event event, util::Completion<bool> done) {
  submit<bool>(
      [id = std::move(id), event = std::move(event)](Database& db) {
        db.query("DELETE FROM orders WHERE id = ?1").bind(1, id).run();
        const bool deleted = db.changes() == 1;
        if (deleted) insert_event(db, event);
        return deleted;
      },
      deleted, std::move(done));
}

void SqliteStore::find_user(std::string id, util::Completion<std::optional<domain::User>> done) {
  file_->read<std::optional<domain::User>>(
      [id = std::move(id)](Database& db) -> std::optional<domain::User> {
        auto q = db.query(
            "SELECT id, name, email, phone, notify_channel, webhook_url, webhook_secret, created_at FROM users"
            " WHERE id = ?1");
        if (!q.bind(1, id).step()) return std::nullopt;
        return read_user(q);
      },
      std::move(done));
}

void SqliteStore::find_order(std::string id, util::Completion<std::optional<domain::Order>> done) {
  file_->read<std::optional<domain::Order>>(
      [id = std::move(id)](Database& db) -> std::optional<domain::Order> {
        auto q =
            db.query("SELECT id, user_id, items, currency, total, status, note, created_at FROM orders WHERE id = ?1");
        if (!q.bind(1, id).step()) return std::nullopt;
        return read_order(q);
      },
      std::move(done));
}

void SqliteStore::find_user_by_email(std::string email, util::Completion<std::optional<domain::User>> done) {
  file_->read<std::optional<domain::User>>(
      [email_key = lower(email)](Database& db) -> std::optional<domain::User> {
        auto q = db.query(
            "SELECT id, name, email, phone, notify_channel, webhook_url, webhook_secret, created_at FROM users"
            " WHERE email_key = ?1");
        if (!q.bind(1, email_key).step()) return std::nullopt;
        return read_user(q);
      },
      std::move(done));
}

void SqliteStore::list_users(domain::PageQuery query, util::Completion<domain::Page<domain::User>> done) {
  file_->read<domain::Page<domain::User>>(
      [query = std::move(query)](Database& db) {
        auto q = db.query(
            "SELECT id, name, email, phone, notify_channel, webhook_url, webhook_secret, created_at FROM users"
            " WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
        const std::string before = query.before_id.value_or(std::string(kAfterAllIds));  // bound SQLITE_STATIC
        q.bind(1, before).bind(2, static_cast<int64_t>(query.limit + 1));
        return read_page<domain::User>(q, query.limit, read_user);
      },
      std::move(done));
}

void SqliteStore::list_orders(domain::PageQuery query, std::optional<std::string> user_id,
                              util::Completion<domain::Page<domain::Order>> done) {
  file_->read<domain::Page<domain::Order>>(
      [query = std::move(query), user_id = std::move(user_id)](Database& db) {
        const std::string before = query.before_id.value_or(std::string(kAfterAllIds));
        const auto limit = static_cast<int64_t>(query.limit + 1);
        if (!user_id) {
          auto q = db.query(
              "SELECT id, user_id, items, currency, total, status, note, created_at FROM orders"
              " WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
          q.bind(1, before).bind(2, limit);
          return read_page<domain::Order>(q, query.limit, read_order);
        }
        auto q = db.query(
            "SELECT id, user_id, items, currency, total, status, note, created_at FROM orders"
            " WHERE user_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3");
        q.bind(1, *user_id).bind(2, before).bind(3, limit);
        return read_page<domain::Order>(q, query.limit, read_order);
      },
      std::move(done));
}

void SqliteStore::find_idempotency(std::string scope, std::string key, int64_t now_ms,
                                   util::Completion<std::optional<domain::IdempotencyRecord>> done) {
  file_->read<std::optional<domain::IdempotencyRecord>>(
      [scope = std::move(scope), key = std::move(key),
       now_ms](Database& db) -> std::optional<domain::IdempotencyRecord> {
        auto q = db.query(
            "SELECT fingerprint, resource_id, body, created_at, expires_at FROM idempotency_keys"
            " WHERE scope = ?1 AND key = ?2 AND expires_at > ?3");
        if (!q.bind(1, scope).bind(2, key).bind(3, now_ms).step()) return std::nullopt;
        return domain::IdempotencyRecord{scope, key, q.text(0), q.text(1), q.text(2), q.int64(3), q.int64(4)};
      },
      std::move(done));
}

void SqliteStore::purge_idempotency(int64_t now_ms, util::Completion<size_t> done) {
  file_->submit<size_t>(
      [now_ms](Database& db) {
        db.query("DELETE FROM idempotency_keys WHERE expires_at <= ?1").bind(1, now_ms).run();
        return static_cast<size_t>(db.changes());
      },
      std::move(done));
}

}  // namespace ninja::storage::sqlite
