#pragma once
// One statement's answer: an owning handle on a libpq PGresult with typed, checked accessors.
// Results arrive in text format; numbers are parsed here, so callers never touch libpq.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

extern "C" {
struct pg_result;
}

namespace ninja::storage::postgres {

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* result);

  int rows() const;
  int columns() const;
  // Rows a command touched (INSERT/UPDATE/DELETE), or 0.
  int64_t affected_rows() const;

  bool is_null(int row, int column) const;
  // Throws std::out_of_range for a row/column that does not exist and std::runtime_error for a NULL
  // where a value was expected or text that is not the number asked for.
  std::string_view text(int row, int column) const;
  std::string string(int row, int column) const { return std::string(text(row, column)); }
  int64_t int64(int row, int column) const;
  double real(int row, int column) const;
  bool boolean(int row, int column) const;
  std::optional<std::string> optional_string(int row, int column) const;
  std::optional<int64_t> optional_int64(int row, int column) const;
  std::optional<double> optional_real(int row, int column) const;

  pg_result* get() const { return result_.get(); }

 private:
  void check(int row, int column) const;
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

}  // namespace ninja::storage::postgres
