#include "storage/sqlite/sqlite_deliveries.hpp"

#include <algorithm>

namespace ninja::storage::sqlite {
namespace {

// Column list shared by every SELECT/RETURNING below, in read_delivery's order. A delivery of an event
// in this file's outbox keeps no copy of its payload (stored as ''): the event's row has it, and
// retention deletes that row only together with its deliveries. That halves the bytes of an order
// and of every delivery row the notifier rewrites.
#define DELIVERY_COLUMNS                                                                                  \
  "event_id, channel, order_id, user_id, status, attempts, last_error, event_time,"                      \
  " CASE payload WHEN '' THEN (SELECT o.payload FROM outbox o WHERE o.event_id = deliveries.event_id)"   \
  " ELSE payload END, created_at, updated_at, delivered_at, next_attempt_at"

domain::Delivery read_delivery(const Query& q) {
  domain::Delivery d;
  d.event_id = q.text(0);
  d.channel = q.text(1);
  d.order_id = q.text(2);
  d.user_id = q.text(3);
  d.status = domain::parse_delivery_status(q.text(4)).value_or(domain::DeliveryStatus::pending);
  d.attempts = q.int64(5);
  d.last_error = q.optional_text(6);
  d.event_time_ms = q.int64(7);
  d.payload = q.is_null(8) ? std::string() : q.text(8);
  d.created_at_ms = q.int64(9);
  d.updated_at_ms = q.int64(10);
  d.delivered_at_ms = q.optional_int64(11);
  d.next_attempt_at_ms = q.optional_int64(12);
  return d;
}

std::vector<domain::Delivery> read_all(Query& q) {
  std::vector<domain::Delivery> out;
  while (q.step()) out.push_back(read_delivery(q));
  return out;
}

}  // namespace

void SqliteDeliveries::add_deliveries(std::vector<domain::Delivery> deliveries, util::Lease lease,
                                      util::Completion<std::vector<bool>> done) {
  if (deliveries.empty()) return done({}, nullptr);
  file_->submit<std::vector<bool>>(
      [deliveries = std::move(deliveries), lease = std::move(lease)](Database& db) {
        std::vector<bool> inserted;
        inserted.reserve(deliveries.size());
        const std::optional<std::string> claim_owner = lease.owner;
        const std::optional<std::string> no_owner;
        for (const auto& d : deliveries) {
          const bool needs_attempt = !d.is_final();
          const std::string status(domain::to_string(d.status));
          db.query("INSERT INTO deliveries (event_id, channel, order_id, user_id, status, attempts, last_error,"
                   " event_time, payload, created_at, updated_at, delivered_at, next_attempt_at, claimed_by,"
                   " claimed_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                   " CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE event_id = ?1) THEN '' ELSE ?9 END,"
                   " ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT (event_id, channel) DO NOTHING")
              .bind(1, d.event_id)
              .bind(2, d.channel)
              .bind(3, d.order_id)
              .bind(4, d.user_id)
              .bind(5, status)
              .bind(6, d.attempts)
              .bind(7, d.last_error)
              .bind(8, d.event_time_ms)
              .bind(9, d.payload)
              .bind(10, d.created_at_ms)
              .bind(11, d.updated_at_ms)
              .bind(12, d.delivered_at_ms)
              .bind(13, d.next_attempt_at_ms)
              .bind(14, needs_attempt ? claim_owner : no_owner)
              .bind(15, needs_attempt ? std::optional<int64_t>(lease.until_ms) : std::nullopt)
              .run();
          inserted.push_back(db.changes() == 1);
        }
        return inserted;
      },
      std::move(done));
}

void SqliteDeliveries::claim_due(size_t limit, util::Lease lease,
                                 util::Completion<std::vector<domain::Delivery>> done) {
  if (limit == 0) return done({}, nullptr);
  file_->submit<std::vector<domain::Delivery>>(
      [limit, lease = std::move(lease)](Database& db) {
        auto q = db.query(
            "UPDATE deliveries SET claimed_by = ?1, claimed_until = ?2 WHERE (event_id, channel) IN ("
            " SELECT event_id, channel FROM deliveries WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?3"
            "  AND (claimed_until IS NULL OR claimed_until <= ?3) ORDER BY next_attempt_at LIMIT ?4)"
            " RETURNING " DELIVERY_COLUMNS);
        q.bind(1, lease.owner).bind(2, lease.until_ms).bind(3, lease.now_ms).bind(4, static_cast<int64_t>(limit));
        auto claimed = read_all(q);
        std::sort(claimed.begin(), claimed.end(),
                  [](const auto& a, const auto& b) { return a.next_attempt_at_ms < b.next_attempt_at_ms; });
        return claimed;
      },
      std::move(done));
}

void SqliteDeliveries::record_attempt(domain::Delivery d, util::Done done) {
  file_->submit(
      [d = std::move(d)](Database& db) {
        const std::string status(domain::to_string(d.status));
        db.query(
              "UPDATE deliveries SET status = ?3, attempts = ?4, last_error = ?5, updated_at = ?6, delivered_at = ?7,"
              " next_attempt_at = ?8, claimed_by = NULL, claimed_until = NULL WHERE event_id = ?1 AND channel = ?2")
            .bind(1, d.event_id)
            .bind(2, d.channel)
            .bind(3, status)
            .bind(4, d.attempts)
            .bind(5, d.last_error)
            .bind(6, d.updated_at_ms)
            .bind(7, d.delivered_at_ms)
            .bind(8, d.next_attempt_at_ms)
            .run();
      },
      std::move(done));
}

void SqliteDeliveries::deliveries_for_order(std::string order_id,
                                            util::Completion<std::vector<domain::Delivery>> done) {
  file_->read<std::vector<domain::Delivery>>(
      [order_id = std::move(order_id)](Database& db) {
        auto q = db.query("SELECT " DELIVERY_COLUMNS
                          " FROM deliveries WHERE order_id = ?1 ORDER BY created_at, event_id, channel");
        q.bind(1, order_id);
        return read_all(q);
      },
      std::move(done));
}

void SqliteDeliveries::dead_deliveries(size_t limit, util::Completion<std::vector<domain::Delivery>> done) {
  file_->read<std::vector<domain::Delivery>>(
      [limit](Database& db) {
        auto q = db.query("SELECT " DELIVERY_COLUMNS
                          " FROM deliveries WHERE status = 'dead' ORDER BY updated_at DESC, event_id LIMIT ?1");
        q.bind(1, static_cast<int64_t>(limit));
        return read_all(q);
      },
      std::move(done));
}

void SqliteDeliveries::requeue_dead(std::optional<std::string> event_id, int64_t now_ms,
                                    util::Completion<size_t> done) {
  file_->submit<size_t>(
      [event_id = std::move(event_id), now_ms](Database& db) {
        auto q = event_id ? db.query(
                                "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?1,"
                                " updated_at = ?1, claimed_by = NULL, claimed_until = NULL"
                                " WHERE status = 'dead' AND event_id = ?2")
                          : db.query(
                                "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?1,"
                                " updated_at = ?1, claimed_by = NULL, claimed_until = NULL WHERE status = 'dead'");
        q.bind(1, now_ms);
        if (event_id) q.bind(2, *event_id);
        q.run();
        return static_cast<size_t>(db.changes());
      },
      std::move(done));
}

void SqliteDeliveries::next_due_ms(util::Completion<std::optional<int64_t>> done) {
  file_->read<std::optional<int64_t>>(
      [](Database& db) -> std::optional<int64_t> {
        // A leased delivery is not due before its lease ends, whatever its schedule says.
        auto q = db.query(
            "SELECT MIN(MAX(next_attempt_at, COALESCE(claimed_until, 0))) FROM deliveries"
            " WHERE next_attempt_at IS NOT NULL");
        if (!q.step() || q.is_null(0)) return std::nullopt;
        return q.int64(0);
      },
      std::move(done));
}

}  // namespace ninja::storage::sqlite
