#pragma once
// Mails the user through the SMTP relay at --smtp-url (smtp:// or smtps://, credentials in the
// URL if the relay wants them), from --smtp-from.
#include <string>

#include "notify/channel.hpp"
#include "util/uuid.hpp"

namespace ninja::notify {

struct EmailOptions {
  std::string smtp_url;
  std::string from;
  int64_t timeout_ms = 10000;
};

class EmailChannel final : public Channel {
 public:
  EmailChannel(EmailOptions options, util::MillisClock clock);
  Attempt deliver(const Notification& notification) override;

 private:
  EmailOptions options_;
  util::MillisClock clock_;
};

}  // namespace ninja::notify
