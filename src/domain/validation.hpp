#pragma once
// The business rules of API.md §2 as pure functions. Each returns every violated rule, so a client
// learns about all bad fields at once.
#include <string_view>
#include <vector>

#include "domain/commands.hpp"
#include "domain/errors.hpp"

namespace ninja::domain {

inline constexpr size_t kMaxNameChars = 200;
inline constexpr size_t kMaxEmailBytes = 254;
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxItems = 100;
inline constexpr size_t kMaxSkuChars = 64;
inline constexpr int64_t kMaxQuantity = 1000;
inline constexpr int64_t kMaxUnitPrice = 100000000;
inline constexpr size_t kMaxNoteChars = 500;

std::vector<FieldError> validate(const CreateUser& command);
std::vector<FieldError> validate(const CreateOrder& command);

// Number of Unicode code points in valid UTF-8 text.
size_t count_code_points(std::string_view utf8);
// Removes leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

bool is_plausible_email(std::string_view email);
bool is_e164_phone(std::string_view phone);
bool is_http_url(std::string_view url);
bool is_currency_code(std::string_view code);

}  // namespace ninja::domain
