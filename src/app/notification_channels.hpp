#pragma once
// Builds the notification channels the configuration asks for and owns them (and libcurl's
// process-wide setup) for the life of the notifier. Each network channel gets its own libcurl multi
// handle on one of the process's event loops: its own connection cache, so a connection the SMS
// gateway (which may be private) opened is never reused by a webhook, whose address is guarded.
#include <memory>

#include "config/config.hpp"
#include "notify/channel_set.hpp"

namespace ninja::net {
class EventLoops;
}

namespace ninja::app {

class NotificationChannels {
 public:
  NotificationChannels(const config::NotifyConfig& config, net::EventLoops& loops);
  // Attempts still in flight complete as retries; the loops must still run.
  ~NotificationChannels();
  NotificationChannels(const NotificationChannels&) = delete;
  NotificationChannels& operator=(const NotificationChannels&) = delete;

  // Email and sms fall back to the log channel when no SMTP relay or SMS gateway is configured.
  notify::ChannelSet set();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace ninja::app
