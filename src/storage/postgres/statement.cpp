#include "storage/postgres/statement.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace ninja::storage::postgres {

Param param(double value) {
  if (std::isnan(value)) return Param{std::string("NaN")};
  if (std::isinf(value)) return Param{std::string(value > 0 ? "Infinity" : "-Infinity")};
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  (void)error;  // 32 characters always hold the shortest form of a double
  return Param{std::string(buffer.data(), end)};
}

}  // namespace ninja::storage::postgres
