#include "notify/message_text.hpp"

#include <array>
#include <cstdlib>

namespace ninja::notify {
namespace {

int minor_unit_digits(std::string_view currency) {
  static constexpr std::array<std::string_view, 16> kNone = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
                                                             "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF"};
  static constexpr std::array<std::string_view, 7> kThree = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  for (const auto code : kNone) {
    if (code == currency) return 0;
  }
  for (const auto code : kThree) {
    if (code == currency) return 3;
  }
  return 2;
}

}  // namespace

std::string format_amount(int64_t total, std::string_view currency) {
  const int digits = minor_unit_digits(currency);
  // Work on the magnitude as unsigned so INT64_MIN cannot overflow.
  const bool negative = total < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(total) : static_cast<uint64_t>(total);
  std::string text = std::to_string(magnitude);
  if (digits > 0) {
    if (text.size() <= static_cast<size_t>(digits)) text.insert(0, static_cast<size_t>(digits) + 1 - text.size(), '0');
    text.insert(text.size() - static_cast<size_t>(digits), ".");
  }
  if (negative) text.insert(0, "-");
  return text + " " + std::string(currency);
}

std::string notification_subject(const Notification& n) { return "Your order " + n.order_id + " is confirmed"; }

std::string notification_text(const Notification& n) {
  return "Hello " + n.user.name + ", your order " + n.order_id + " for " + format_amount(n.total, n.currency) +
         " is confirmed.";
}

}  // namespace ninja::notify
