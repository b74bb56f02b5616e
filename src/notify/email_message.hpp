#pragma once
// An RFC 5322 plain-text message, ready for SMTP DATA (CRLF line ends).
#include <cstdint>
#include <string>

namespace ninja::notify {

struct EmailMessage {
  std::string from;        // bare address
  std::string to;          // bare address
  std::string subject;     // ASCII
  std::string text;        // UTF-8 body
  std::string message_id;  // without angle brackets: "<event id>@<domain>"
  int64_t date_ms = 0;
};

// Header values are stripped of CR, LF and other control characters so no input can add a
// header or end the header block early.
std::string render(const EmailMessage& message);

// "Wed, 25 Nov 2026 01:25:48 +0000"
std::string rfc5322_date(int64_t unix_ms);

}  // namespace ninja::notify
