#include "notify/channels/email_channel.hpp"

#include <algorithm>
#include <cstring>

#include "net/curl_handle.hpp"
#include "notify/email_message.hpp"
#include "notify/message_text.hpp"

namespace ninja::notify {
namespace {

struct Upload {
  std::string_view remaining;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* context) {
  auto* upload = static_cast<Upload*>(context);
  const size_t n = std::min(size * count, upload->remaining.size());
  std::memcpy(buffer, upload->remaining.data(), n);
  upload->remaining.remove_prefix(n);
  return n;
}

// The part after '@' of --smtp-from names our domain in Message-IDs.
std::string message_id_domain(const std::string& from) {
  const auto at = from.rfind('@');
  return at == std::string::npos || at + 1 == from.size() ? "ninja-orders" : from.substr(at + 1);
}

}  // namespace

EmailChannel::EmailChannel(EmailOptions options, util::MillisClock clock)
    : options_(std::move(options)), clock_(std::move(clock)) {}

Attempt EmailChannel::deliver(const Notification& n) {
  if (n.user.email.empty()) return {Outcome::dead, "user has no email address"};
  EmailMessage message;
  message.from = options_.from;
  message.to = n.user.email;
  message.subject = notification_subject(n);
  message.text = notification_text(n);
  // Stable across retries, so a repeat around a crash can be recognised by the receiver.
  message.message_id = n.event_id + "@" + message_id_domain(options_.from);
  message.date_ms = clock_();
  const std::string data = render(message);

  net::CurlEasy easy = net::new_curl_easy(static_cast<long>(options_.timeout_ms));
  CURL* h = easy.get();
  net::CurlList recipients;
  recipients.append("<" + n.user.email + ">");
  const std::string from = "<" + options_.from + ">";
  Upload upload{data};
  curl_easy_setopt(h, CURLOPT_URL, options_.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));

  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return {Outcome::delivered, {}};
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  std::string error = std::string("SMTP: ") + curl_easy_strerror(code);
  if (reply != 0) error += " (reply " + std::to_string(reply) + ")";
  // 5xx replies are permanent (unknown mailbox, refused sender); 4xx and lost connections pass.
  if (reply >= 500 || code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) return {Outcome::dead, error};
  return {Outcome::retry, error};
}

}  // namespace ninja::notify
