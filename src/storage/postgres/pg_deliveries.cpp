#include "storage/postgres/pg_deliveries.hpp"

#include <algorithm>

#include "storage/postgres/pg_rows.hpp"

namespace ninja::storage::postgres {
namespace {

constexpr const char* kAdd =
    "INSERT INTO deliveries (" NINJA_PG_DELIVERY_COLUMNS
    ", claimed_by, claimed_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    " ON CONFLICT (event_id, channel) DO NOTHING RETURNING 1";

constexpr const char* kClaimDue =
    "UPDATE deliveries SET claimed_by = $1, claimed_until = $2 WHERE (event_id, channel) IN ("
    " SELECT event_id, channel FROM deliveries WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $3"
    "  AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)"
    " RETURNING " NINJA_PG_DELIVERY_COLUMNS;

constexpr const char* kRecord =
    "UPDATE deliveries SET status = $3, attempts = $4, last_error = $5, updated_at = $6, delivered_at = $7,"
    " next_attempt_at = $8, claimed_by = NULL, claimed_until = NULL WHERE event_id = $1 AND channel = $2";

}  // namespace

PgDeliveries::PgDeliveries(std::shared_ptr<PgShared> shared) : shared_(std::move(shared)) {}

void PgDeliveries::add_deliveries(std::vector<domain::Delivery> deliveries, util::Lease lease,
                                  util::Completion<std::vector<bool>> done) {
  if (deliveries.empty()) return done({}, nullptr);
  std::vector<Statement> inserts;
  inserts.reserve(deliveries.size());
  for (const auto& d : deliveries) {
    const bool needs_attempt = !d.is_final();
    inserts.push_back(statement(kAdd, d.event_id, d.channel, d.order_id, d.user_id, domain::to_string(d.status),
                                d.attempts, d.last_error, d.event_time_ms, d.payload, d.created_at_ms, d.updated_at_ms,
                                d.delivered_at_ms, d.next_attempt_at_ms,
                                needs_attempt ? std::optional<std::string>(lease.owner) : std::nullopt,
                                needs_attempt ? std::optional<int64_t>(lease.until_ms) : std::nullopt));
  }
  transact<std::vector<bool>>(
      *shared_->pool, std::move(inserts),
      [](const std::vector<PgResult>& results) {
        std::vector<bool> inserted;
        inserted.reserve(results.size());
        for (const auto& r : results) inserted.push_back(r.rows() == 1);
        return inserted;
      },
      std::move(done));
}

void PgDeliveries::claim_due(size_t limit, util::Lease lease, util::Completion<std::vector<domain::Delivery>> done) {
  if (limit == 0) return done({}, nullptr);
  query<std::vector<domain::Delivery>>(
      *shared_->pool, statement(kClaimDue, lease.owner, lease.until_ms, lease.now_ms, limit),
      [](const PgResult& r) {
        auto claimed = read_deliveries(r);
        std::sort(claimed.begin(), claimed.end(),
                  [](const auto& a, const auto& b) { return a.next_attempt_at_ms < b.next_attempt_at_ms; });
        return claimed;
      },
      std::move(done));
}

void PgDeliveries::record_attempt(domain::Delivery d, util::Done done) {
  query<bool>(
      *shared_->pool,
      statement(kRecord, d.event_id, d.channel, domain::to_string(d.status), d.attempts, d.last_error, d.updated_at_ms,
                d.delivered_at_ms, d.next_attempt_at_ms),
      [](const PgResult&) { return true; }, ignore_result(std::move(done)));
}

void PgDeliveries::deliveries_for_order(std::string order_id, util::Completion<std::vector<domain::Delivery>> done) {
  query<std::vector<domain::Delivery>>(
      *shared_->pool,
      statement("SELECT " NINJA_PG_DELIVERY_COLUMNS
                " FROM deliveries WHERE order_id = $1 ORDER BY created_at, event_id, channel",
                order_id),
      read_deliveries, std::move(done));
}

void PgDeliveries::dead_deliveries(size_t limit, util::Completion<std::vector<domain::Delivery>> done) {
  query<std::vector<domain::Delivery>>(
      *shared_->pool,
      statement("SELECT " NINJA_PG_DELIVERY_COLUMNS
                " FROM deliveries WHERE status = 'dead' ORDER BY updated_at DESC, event_id LIMIT $1",
                limit),
      read_deliveries, std::move(done));
}

void PgDeliveries::requeue_dead(std::optional<std::string> event_id, int64_t now_ms, util::Completion<size_t> done) {
  constexpr const char* kRequeue =
      "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1,"
      " claimed_by = NULL, claimed_until = NULL WHERE status = 'dead'";
  auto update = event_id ? statement(std::string(kRequeue) + " AND event_id = $2", now_ms, *event_id)
                         : statement(kRequeue, now_ms);
  query<size_t>(
      *shared_->pool, std::move(update), [](const PgResult& r) { return static_cast<size_t>(r.affected_rows()); },
      std::move(done));
}

void PgDeliveries::next_due_ms(util::Completion<std::optional<int64_t>> done) {
  // A leased delivery is not due before its lease ends, whatever its schedule says.
  query<std::optional<int64_t>>(
      *shared_->pool,
      statement("SELECT min(greatest(next_attempt_at, coalesce(claimed_until, 0))) FROM deliveries"
                " WHERE next_attempt_at IS NOT NULL"),
      [](const PgResult& r) { return r.optional_int64(0, 0); }, std::move(done));
}

}  // namespace ninja::storage::postgres
