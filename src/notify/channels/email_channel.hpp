#pragma once
// Mails the user through the SMTP relay at --smtp-url (smtp:// or smtps://, credentials in the
// URL if the relay wants them), from --smtp-from.
#include <string>

#include "notify/channel.hpp"
#include "util/uuid.hpp"

namespace ninja::net {
class CurlMulti;
}

namespace ninja::notify {

struct EmailOptions {
  std::string smtp_url;
  std::string from;
  int64_t timeout_ms = 10000;
};

class EmailChannel final : public Channel {
 public:
  // `client` is this channel's alone and outlives it.
  EmailChannel(net::CurlMulti& client, EmailOptions options, util::MillisClock clock);
  void deliver(const Notification& notification, util::Completion<Attempt> done) override;

 private:
  net::CurlMulti& client_;
  EmailOptions options_;
  util::MillisClock clock_;
};

}  // namespace ninja::notify
