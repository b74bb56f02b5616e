#include "storage/postgres/pipeline.hpp"

#include <libpq-fe.h>

#include "storage/postgres/pg_errors.hpp"

namespace ninja::storage::postgres {

void Pipeline::attach(pg_conn* conn) {
  conn_ = conn;
  prepared_.clear();
  failed_prepares_.clear();
  open_group_ = awaiting_end_ = write_failed_ = false;
}

bool Pipeline::write_prepares(const PgRequest& request) {
  Unit* unit = nullptr;
  for (const Statement& statement : request.statements) {
    auto [it, inserted] = prepared_.try_emplace(statement.sql);
    if (!inserted) continue;
    it->second = "s" + std::to_string(++names_);  // never reused, so a failed prepare stays identifiable
    if (unit == nullptr) {
      if (!close_group()) return false;  // a Sync between would split the group's transaction anyway
      units_.emplace_back(Kind::prepares);
      unit = &units_.back();
      unit->deadline = request.deadline;
    }
    if (PQsendPrepare(conn_, it->second.c_str(), statement.sql.c_str(), 0, nullptr) != 1) return false;
    unit->names.push_back(it->second);
    unit->sql.push_back(statement.sql);
  }
  return unit == nullptr || sync(*unit);
}

bool Pipeline::write_statement(const Statement& statement, Unit& unit) {
  const std::string& name = prepared_.at(statement.sql);
  values_.clear();
  lengths_.clear();
  formats_.clear();
  for (const Param& param : statement.params) {
    values_.push_back(param.value ? param.value->c_str() : nullptr);
    lengths_.push_back(param.value ? static_cast<int>(param.value->size()) : 0);
    formats_.push_back(param.binary ? 1 : 0);
  }
  if (PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(values_.size()), values_.data(), lengths_.data(),
                          formats_.data(), 0) != 1) {
    return false;
  }
  unit.names.push_back(name);
  return true;
}

bool Pipeline::sync(Unit& unit) {
  unit.synced = true;
  return PQpipelineSync(conn_) == 1;
}

bool Pipeline::close_group() {
  if (!open_group_) return true;
  open_group_ = false;
  return sync(units_.back());
}

bool Pipeline::write_single(PgRequest request) {
  if (!write_prepares(request) || (open_group_ && units_.back().requests.size() >= kMaxGroup && !close_group())) {
    unsent_.push_back(std::move(request));
    return false;
  }
  if (!open_group_) {
    units_.emplace_back(Kind::singles);
    units_.back().deadline = request.deadline;
    open_group_ = true;
  }
  Unit& unit = units_.back();
  unit.requests.push_back(std::move(request));
  ++requests_;
  return write_statement(unit.requests.back().statements.front(), unit);
}

bool Pipeline::write_segment(PgRequest request) {
  if (!write_prepares(request) || !close_group()) {
    unsent_.push_back(std::move(request));
    return false;
  }
  units_.emplace_back(Kind::segment);
  Unit& unit = units_.back();
  unit.deadline = request.deadline;
  unit.requests.push_back(std::move(request));
  ++requests_;
  for (const Statement& statement : unit.requests.front().statements) {
    if (!write_statement(statement, unit)) return false;
  }
  return sync(unit);
}

Pipeline::Step Pipeline::accept(pg_result* raw) {
  if (raw == nullptr) {
    if (!awaiting_end_) return Step::idle;
    awaiting_end_ = false;
    return Step::consumed;
  }
  PgResult result(raw);
  if (units_.empty() || awaiting_end_) return Step::broken;
  Unit& unit = units_.front();
  if (PQresultStatus(raw) == PGRES_PIPELINE_SYNC) {
    if (!unit.synced || unit.next != unit.names.size()) return Step::broken;
    finish_front();
    return Step::consumed;
  }
  // More answers than statements: an error at the Sync itself (the commit), which we cannot
  // attribute; dropping the connection fails the unit with PgUnavailable (outcome unknown).
  if (unit.next >= unit.names.size()) return Step::broken;
  awaiting_end_ = true;
  record(unit, std::move(result));
  return Step::consumed;
}

void Pipeline::record(Unit& unit, PgResult result) {
  const ExecStatusType status = PQresultStatus(result.get());
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
  const size_t i = unit.next++;
  if (ok) {
    unit.results.push_back(std::move(result));
    return;
  }
  std::exception_ptr error;
  if (status == PGRES_FATAL_ERROR) {
    error = error_from_result(result.get(), conn_, unit.kind == Kind::segment ? i : 0);
  } else if (status == PGRES_PIPELINE_ABORTED) {
    error = std::make_exception_ptr(PgSqlError("", "postgres: statement skipped after an earlier error"));
  } else {
    error = std::make_exception_ptr(PgSqlError("", "postgres: unsupported result " + std::string(PQresStatus(status))));
  }
  if (const auto it = failed_prepares_.find(unit.names[i]); it != failed_prepares_.end()) error = it->second;
  unit.results.emplace_back();  // keeps the indexes of later results aligned
  if (!unit.error && error) {
    unit.error = error;
    unit.failed = i;
  }
  if (unit.kind == Kind::prepares) {
    // Forget the statement so the next request prepares it again, under a new name.
    prepared_.erase(unit.sql[i]);
    failed_prepares_[unit.names[i]] = unit.error;
  }
}

void Pipeline::finish_front() {
  Unit unit = std::move(units_.front());
  units_.pop_front();
  requests_ -= unit.requests.size();
  if (units_.empty()) failed_prepares_.clear();  // nothing in flight can refer to them any more
  switch (unit.kind) {
    case Kind::prepares:
      return;
    case Kind::segment:
      if (unit.error) unit.results.clear();
      complete(unit.requests.front(), std::move(unit.results), unit.error);
      return;
    case Kind::singles:
      for (size_t i = 0; i < unit.requests.size(); ++i) {
        if (!unit.error) {
          std::vector<PgResult> results;
          results.push_back(std::move(unit.results[i]));
          complete(unit.requests[i], std::move(results), nullptr);
        } else if (i == unit.failed) {
          complete(unit.requests[i], {}, unit.error);
        } else if (write_failed_) {
          unsent_.push_back(std::move(unit.requests[i]));
        } else if (!write_segment(std::move(unit.requests[i]))) {  // rolled back with it: run again alone
          write_failed_ = true;
        }
      }
      return;
  }
}

void Pipeline::complete(PgRequest& request, std::vector<PgResult> results, std::exception_ptr error) {
  try {
    request.done(std::move(results), std::move(error));
  } catch (const std::exception& e) {
    if (log_ != nullptr) log_->error("postgres: a completion threw: {}", e.what());
  } catch (...) {
    if (log_ != nullptr) log_->error("postgres: a completion threw");
  }
}

Clock::time_point Pipeline::oldest_deadline() const {
  return units_.empty() ? Clock::time_point::max() : units_.front().deadline;
}

std::vector<PgRequest> Pipeline::take_all() {
  std::vector<PgRequest> all = std::move(unsent_);
  unsent_.clear();
  for (Unit& unit : units_) {
    for (PgRequest& request : unit.requests) all.push_back(std::move(request));
  }
  units_.clear();
  requests_ = 0;
  attach(nullptr);
  return all;
}

}  // namespace ninja::storage::postgres
