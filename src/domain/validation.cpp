#include "domain/validation.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <string>

namespace ninja::domain {
namespace {

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

void check_length(std::vector<FieldError>& errors, const std::string& field, std::string_view value, size_t min,
                  size_t max) {
  const size_t n = count_code_points(value);
  if (n < min || n > max) {
    errors.push_back({field, "must be " + std::to_string(min) + "–" + std::to_string(max) + " characters"});
  }
}

}  // namespace

size_t count_code_points(std::string_view utf8) {
  return static_cast<size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

namespace {

// The length in bytes of the white space character `text` starts with, or 0. White space is what
// ECMAScript's \s matches (the OpenAPI pattern for names uses it): ASCII tab to carriage return and
// space, and in UTF-8 U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
size_t leading_space(std::string_view text) {
  if (text.empty()) return 0;
  const auto byte = [&](size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  if (is_ascii_space(text[0])) return 1;
  if (byte(0) == 0xC2 && byte(1) == 0xA0) return 2;                     // U+00A0
  if (byte(0) == 0xE1 && byte(1) == 0x9A && byte(2) == 0x80) return 3;  // U+1680
  if (byte(0) == 0xE2 && byte(1) == 0x80 &&
      (byte(2) <= 0x8A || byte(2) == 0xA8 || byte(2) == 0xA9 || byte(2) == 0xAF) && byte(2) >= 0x80) {
    return 3;  // U+2000–U+200A, U+2028, U+2029, U+202F
  }
  if (byte(0) == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F) return 3;  // U+205F
  if (byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) return 3;  // U+3000
  if (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) return 3;  // U+FEFF
  return 0;
}

// The same, for the character `text` ends with: UTF-8 sequences of white space are 1–3 bytes.
size_t trailing_space(std::string_view text) {
  for (size_t n = 1; n <= 3 && n <= text.size(); ++n) {
    if (leading_space(text.substr(text.size() - n)) == n) return n;
  }
  return 0;
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (const size_t n = leading_space(text)) text.remove_prefix(n);
  while (const size_t n = trailing_space(text)) text.remove_suffix(n);
  return text;
}

namespace {

// RFC 5322 atext: what a local part may hold unquoted. Quoted local parts and the specials
// (<>()[],;:@" and space) are refused: they would reach SMTP as `RCPT TO:<a>,<b@c>` — two recipients.
bool is_atext(char c) {
  return is_alpha(c) || is_digit(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Dot-atom: atext runs separated by single dots, none at either end.
bool is_dot_atom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.' || text.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '.' || is_atext(c); });
}

// An RFC 1035 host label: 1–63 letters, digits and hyphens, no hyphen at either end. IDN domains
// are accepted in their ASCII (xn--) form; the SMTP channel does not speak SMTPUTF8.
bool is_host_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; });
}

}  // namespace

bool is_plausible_email(std::string_view email) {
  if (email.size() > kMaxEmailBytes) return false;
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.size() > 64 || !is_dot_atom(local)) return false;  // also refuses a second '@'
  size_t labels = 0;
  std::string_view last;
  for (size_t start = 0;;) {
    const size_t dot = domain.find('.', start);
    last = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_host_label(last)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2 && last.size() >= 2 && std::all_of(last.begin(), last.end(), is_alpha);
}

bool is_e164_phone(std::string_view phone) {
  if (phone.size() < 8 || phone.size() > 16 || phone.front() != '+') return false;
  return std::all_of(phone.begin() + 1, phone.end(), is_digit);
}

bool is_http_url(std::string_view url) {
  if (url.size() > kMaxUrlBytes) return false;
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return false;
  const auto scheme = parsed->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) return false;
  if (!parsed->has_authority() || parsed->encoded_host().empty() || parsed->has_userinfo()) return false;
  if (parsed->has_port()) {  // the URL grammar takes any digits; TCP takes 1–65535
    const std::string_view port = parsed->port();
    if (port.empty()) return true;  // "host:" is the default port (RFC 3986 §3.2.3)
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit)) return false;
    const unsigned long number = std::stoul(std::string(port));
    if (number == 0 || number > 65535) return false;
  }
  return true;
}

bool is_currency_code(std::string_view code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::vector<FieldError> validate(const CreateUser& command) {
  std::vector<FieldError> errors;
  const std::string_view name = trim(command.name);
  check_length(errors, "name", name, 1, kMaxNameChars);
  if (!name.empty() && has_control_characters(name)) errors.push_back({"name", "must not contain control characters"});
  if (!is_plausible_email(command.email)) {
    errors.push_back({"email", "must be a plausible address local@domain.tld of at most 254 characters"});
  }
  if (command.phone && !is_e164_phone(*command.phone)) {
    errors.push_back({"phone", "must be E.164: '+' then 7–15 digits"});
  }
  if (command.webhook_url && !is_http_url(*command.webhook_url)) {
    errors.push_back({"webhook_url", "must be an absolute http(s) URL of at most 2048 characters"});
  }
  switch (command.notify_channel) {
    case NotifyChannel::sms:
      if (!command.phone) errors.push_back({"phone", "is required for the sms channel"});
      break;
    case NotifyChannel::webhook:
      if (!command.webhook_url) errors.push_back({"webhook_url", "is required for the webhook channel"});
      break;
    default:
      break;
  }
  if (command.notify_channel != NotifyChannel::webhook && command.webhook_url) {
    errors.push_back({"webhook_url", "is only allowed with the webhook channel"});
  }
  return errors;
}

std::vector<FieldError> validate(const CreateOrder& command) {
  std::vector<FieldError> errors;
  if (command.user_id.empty()) errors.push_back({"user_id", "is required"});
  if (command.items.empty() || command.items.size() > kMaxItems) {
    errors.push_back({"items", "must hold 1–100 items"});
  }
  for (size_t i = 0; i < command.items.size() && i < kMaxItems; ++i) {
    const auto& item = command.items[i];
    const std::string prefix = "items[" + std::to_string(i) + "].";
    check_length(errors, prefix + "sku", item.sku, 1, kMaxSkuChars);
    if (has_control_characters(item.sku)) errors.push_back({prefix + "sku", "must not contain control characters"});
    if (item.quantity < 1 || item.quantity > kMaxQuantity) {
      errors.push_back({prefix + "quantity", "must be an integer 1–1000"});
    }
    if (item.unit_price < 0 || item.unit_price > kMaxUnitPrice) {
      errors.push_back({prefix + "unit_price", "must be an integer 0–100000000 (minor units)"});
    }
  }
  if (!is_currency_code(command.currency)) errors.push_back({"currency", "must be 3 upper-case letters (ISO 4217)"});
  if (command.note && count_code_points(*command.note) > kMaxNoteChars) {
    errors.push_back({"note", "must be at most 500 characters"});
  }
  // A note may hold line breaks and tabs, but U+0000 cannot be stored by every backend (PostgreSQL
  // text cannot hold it), so no store ever gets one.
  if (command.note && command.note->find('\0') != std::string::npos) {
    errors.push_back({"note", "must not contain U+0000"});
  }
  return errors;
}

}  // namespace ninja::domain
