#include "app/notification_channels.hpp"

#include <fstream>
#include <iostream>
#include <stdexcept>

#include "notify/channels/email_channel.hpp"
#include "notify/channels/log_channel.hpp"
#include "notify/channels/sms_channel.hpp"
#include "notify/channels/webhook_channel.hpp"
#include "net/curl_handle.hpp"
#include "util/time.hpp"

namespace ninja::app {

struct NotificationChannels::Parts {
  net::CurlRuntime curl;  // first in, last out: every channel below may use libcurl
  std::ofstream log_file;
  std::unique_ptr<notify::LogChannel> log;
  std::unique_ptr<notify::WebhookChannel> webhook;
  std::unique_ptr<notify::EmailChannel> email;
  std::unique_ptr<notify::SmsChannel> sms;
};

NotificationChannels::NotificationChannels(const config::NotifyConfig& config) : parts_(std::make_unique<Parts>()) {
  std::ostream* log_stream = &std::cout;
  if (config.log != "-") {
    parts_->log_file.open(config.log, std::ios::app);
    if (!parts_->log_file) throw std::runtime_error("cannot open --notify-log file " + config.log);
    log_stream = &parts_->log_file;
  }
  parts_->log = std::make_unique<notify::LogChannel>(*log_stream);
  parts_->webhook = std::make_unique<notify::WebhookChannel>(
      notify::WebhookOptions{config.timeout_ms, config.webhook_allow_private}, util::system_millis);
  if (!config.smtp_url.empty()) {
    parts_->email = std::make_unique<notify::EmailChannel>(
        notify::EmailOptions{config.smtp_url, config.smtp_from, config.timeout_ms}, util::system_millis);
  }
  if (!config.sms_url.empty()) {
    parts_->sms =
        std::make_unique<notify::SmsChannel>(notify::SmsOptions{config.sms_url, config.sms_from, config.timeout_ms});
  }
}

NotificationChannels::~NotificationChannels() = default;

notify::ChannelSet NotificationChannels::set() {
  return {*parts_->webhook, *parts_->log, parts_->email.get(), parts_->sms.get()};
}

}  // namespace ninja::app
