#include "notify/channels/sms_channel.hpp"

#include "notify/http_post.hpp"
#include "notify/message_text.hpp"
#include "util/hex_digits.hpp"

namespace ninja::notify {
namespace {

void append_encoded(std::string& out, std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '*') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(util::kUpperHexDigits[byte >> 4]);
      out.push_back(util::kUpperHexDigits[byte & 0xF]);
    }
  }
}

}  // namespace

std::string form_encode(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    append_encoded(out, name);
    out.push_back('=');
    append_encoded(out, value);
  }
  return out;
}

SmsChannel::SmsChannel(net::CurlMulti& client, SmsOptions options) : client_(client), options_(std::move(options)) {}

void SmsChannel::deliver(const Notification& n, util::Completion<Attempt> done) {
  if (!n.user.phone || n.user.phone->empty()) return done({Outcome::dead, "user has no phone number"}, {});
  HttpPost request;
  request.url = options_.url;
  request.content_type = "application/x-www-form-urlencoded";
  request.body = form_encode({{"To", *n.user.phone}, {"From", options_.from}, {"Body", notification_text(n)}});
  request.timeout_ms = options_.timeout_ms;
  request.allow_private = true;
  post(client_, request,
       [done = std::move(done)](const HttpResult& result, const std::exception_ptr&) { done(classify(result), {}); });
}

}  // namespace ninja::notify
