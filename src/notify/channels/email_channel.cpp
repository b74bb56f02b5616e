#include "notify/channels/email_channel.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "net/curl_handle.hpp"
#include "net/curl_multi.hpp"
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

struct Mail {
  std::string data;
  Upload upload;
  std::string from;
  net::CurlList recipients;
};

// What the SMTP exchange means for the delivery: the reply code is the last one the relay sent.
Attempt outcome_of(const net::HttpExchange& exchange) {
  if (exchange.code == CURLE_OK) return {Outcome::delivered, {}};
  std::string error = "SMTP: " + exchange.error;
  if (exchange.status != 0) error += " (reply " + std::to_string(exchange.status) + ")";
  // 5xx replies are permanent (unknown mailbox, refused sender); 4xx and lost connections pass.
  if (exchange.status >= 500 || exchange.code == CURLE_URL_MALFORMAT || exchange.code == CURLE_UNSUPPORTED_PROTOCOL) {
    return {Outcome::dead, error};
  }
  return {Outcome::retry, error};
}

// The part after '@' of --smtp-from names our domain in Message-IDs.
std::string message_id_domain(const std::string& from) {
  const auto at = from.rfind('@');
  return at == std::string::npos || at + 1 == from.size() ? "ninja-orders" : from.substr(at + 1);
}

}  // namespace

EmailChannel::EmailChannel(net::CurlMulti& client, EmailOptions options, util::MillisClock clock)
    : client_(client), options_(std::move(options)), clock_(std::move(clock)) {}

void EmailChannel::deliver(const Notification& n, util::Completion<Attempt> done) {
  if (n.user.email.empty()) return done({Outcome::dead, "user has no email address"}, {});
  EmailMessage message;
  message.from = options_.from;
  message.to = n.user.email;
  message.subject = notification_subject(n);
  message.text = notification_text(n);
  // Stable across retries, so a repeat around a crash can be recognised by the receiver.
  message.message_id = n.event_id + "@" + message_id_domain(options_.from);
  message.date_ms = clock_();

  // What curl points to (the message, the envelope) lives in the completion, as long as the transfer.
  auto mail = std::make_shared<Mail>();
  mail->data = render(message);
  mail->upload.remaining = mail->data;
  mail->from = "<" + options_.from + ">";
  mail->recipients.append("<" + n.user.email + ">");

  net::HttpTransfer transfer;  // an SMTP transfer: no HTTP headers, the message as the upload
  transfer.easy = net::new_curl_easy(static_cast<long>(options_.timeout_ms));
  CURL* h = transfer.easy.get();
  curl_easy_setopt(h, CURLOPT_URL, options_.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail->from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, mail->recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(h, CURLOPT_READDATA, &mail->upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mail->data.size()));

  client_.perform(std::move(transfer), [mail, done = std::move(done)](const net::HttpExchange& exchange,
                                                                      const std::exception_ptr& error) {
    done(error ? Attempt{Outcome::retry, "SMTP: the notifier is shutting down"} : outcome_of(exchange), {});
  });
}

}  // namespace ninja::notify
