#pragma once
// One SQL statement with its parameters ($1, $2, ...), as the pool sends it. The SQL text is the key
// of the per-connection prepared-statement cache: keep it constant and put values in parameters.
//
//   statement("SELECT name FROM users WHERE id = $1", id)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ninja::storage::postgres {

// A parameter value; nullopt is SQL NULL. Values travel in text format, except text holding a NUL
// byte: libpq would silently cut a text-format value at the NUL, so such a value is sent in binary
// format, where the server sees every byte and rejects the NUL (SQLSTATE 22021) instead.
struct Param {
  std::optional<std::string> value;
  bool binary = false;
};

struct Statement {
  std::string sql;
  std::vector<Param> params;
};

inline Param param(std::nullopt_t) { return {}; }
inline Param param(std::string_view text) {
  return Param{std::string(text), text.find('\0') != std::string_view::npos};
}
inline Param param(const std::string& text) { return param(std::string_view(text)); }
inline Param param(std::string&& text) {
  const bool binary = text.find('\0') != std::string::npos;
  return Param{std::move(text), binary};
}
inline Param param(const char* text) { return param(std::string_view(text)); }
inline Param param(bool value) { return Param{std::string(value ? "t" : "f")}; }
template <class Integer>
requires(std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>) Param param(Integer value) {
  return Param{std::to_string(value)};
}
Param param(double value);  // shortest text that reads back as the same double
template <class T>
Param param(const std::optional<T>& value) {
  return value ? param(*value) : Param{};
}

template <class... Args>
Statement statement(std::string sql, Args&&... args) {
  Statement result{std::move(sql), {}};
  result.params.reserve(sizeof...(Args));
  (result.params.push_back(param(std::forward<Args>(args))), ...);
  return result;
}

}  // namespace ninja::storage::postgres
