#pragma once
// The human-readable words of a notification (email subject and body, SMS text).
#include <cstdint>
#include <string>
#include <string_view>

#include "notify/channel.hpp"

namespace ninja::notify {

// `total` minor units as a decimal amount with the currency's ISO 4217 exponent: "12.34 EUR",
// "1200 JPY", "1.250 KWD". Unknown codes use two decimals.
std::string format_amount(int64_t total, std::string_view currency);

std::string notification_subject(const Notification& n);  // names the order id
std::string notification_text(const Notification& n);     // one short paragraph

}  // namespace ninja::notify
