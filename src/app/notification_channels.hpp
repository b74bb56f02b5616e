#pragma once
// Builds the notification channels the configuration asks for and owns them (and libcurl's
// process-wide setup) for the life of the notifier.
#include <memory>

#include "config/config.hpp"
#include "notify/channel_set.hpp"

namespace ninja::app {

class NotificationChannels {
 public:
  explicit NotificationChannels(const config::NotifyConfig& config);
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
