#include "storage/postgres/pg_result.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <stdexcept>

namespace ninja::storage::postgres {

void PgResult::Clear::operator()(pg_result* result) const { PQclear(result); }

PgResult::PgResult(pg_result* result) : result_(result) {}

int PgResult::rows() const { return result_ ? PQntuples(result_.get()) : 0; }

int PgResult::columns() const { return result_ ? PQnfields(result_.get()) : 0; }

int64_t PgResult::affected_rows() const {
  if (!result_) return 0;
  const std::string_view tuples = PQcmdTuples(result_.get());
  int64_t count = 0;
  std::from_chars(tuples.data(), tuples.data() + tuples.size(), count);
  return count;
}

void PgResult::check(int row, int column) const {
  if (row < 0 || row >= rows() || column < 0 || column >= columns()) {
    throw std::out_of_range("postgres: no value at row " + std::to_string(row) + ", column " + std::to_string(column));
  }
}

bool PgResult::is_null(int row, int column) const {
  check(row, column);
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const {
  if (is_null(row, column)) {
    throw std::runtime_error(std::string("postgres: unexpected NULL in column ") + PQfname(result_.get(), column));
  }
  return {PQgetvalue(result_.get(), row, column), static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

namespace {
template <class Number>
Number parse_number(std::string_view text, const char* what) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw std::runtime_error(std::string("postgres: not ") + what + ": '" + std::string(text.substr(0, 40)) + "'");
  }
  return value;
}
}  // namespace

int64_t PgResult::int64(int row, int column) const { return parse_number<int64_t>(text(row, column), "an integer"); }

double PgResult::real(int row, int column) const { return parse_number<double>(text(row, column), "a number"); }

bool PgResult::boolean(int row, int column) const {
  const std::string_view value = text(row, column);
  if (value == "t") return true;
  if (value == "f") return false;
  throw std::runtime_error("postgres: not a boolean: '" + std::string(value.substr(0, 40)) + "'");
}

std::optional<std::string> PgResult::optional_string(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return string(row, column);
}

std::optional<int64_t> PgResult::optional_int64(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return int64(row, column);
}

std::optional<double> PgResult::optional_real(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return real(row, column);
}

}  // namespace ninja::storage::postgres
