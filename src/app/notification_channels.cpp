#include "app/notification_channels.hpp"

#include <fstream>
#include <iostream>
#include <stdexcept>

#include "net/curl_handle.hpp"
#include "net/curl_multi.hpp"
#include "net/event_loops.hpp"
#include "notify/channels/email_channel.hpp"
#include "notify/channels/log_channel.hpp"
#include "notify/channels/sms_channel.hpp"
#include "notify/channels/webhook_channel.hpp"
#include "util/time.hpp"

namespace ninja::app {

struct NotificationChannels::Parts {
  net::CurlRuntime curl;  // first in, last out: every channel below may use libcurl
  // Before the channels that use them, so they close after them.
  std::unique_ptr<net::CurlMulti> webhook_client;
  std::unique_ptr<net::CurlMulti> email_client;
  std::unique_ptr<net::CurlMulti> sms_client;
  std::ofstream log_file;
  std::unique_ptr<notify::LogChannel> log;
  std::unique_ptr<notify::WebhookChannel> webhook;
  std::unique_ptr<notify::EmailChannel> email;
  std::unique_ptr<notify::SmsChannel> sms;
};

NotificationChannels::NotificationChannels(const config::NotifyConfig& config, net::EventLoops& loops)
    : parts_(std::make_unique<Parts>()) {
  // Spread over the loops: webhooks on the first, email and SMS on the next ones.
  net::CurlMultiOptions http;
  http.ca_file = config.ca_file;
  const auto client_on = [&loops, &http](size_t index) {
    return std::make_unique<net::CurlMulti>(loops.context(index % loops.size()), http);
  };
  std::ostream* log_stream = &std::cout;
  if (config.log != "-") {
    parts_->log_file.open(config.log, std::ios::app);
    if (!parts_->log_file) throw std::runtime_error("cannot open --notify-log file " + config.log);
    log_stream = &parts_->log_file;
  }
  parts_->log = std::make_unique<notify::LogChannel>(*log_stream);
  parts_->webhook_client = client_on(0);
  parts_->webhook = std::make_unique<notify::WebhookChannel>(
      *parts_->webhook_client, notify::WebhookOptions{config.timeout_ms, config.webhook_allow_private},
      util::system_millis);
  if (!config.smtp_url.empty()) {
    parts_->email_client = client_on(1);
    parts_->email = std::make_unique<notify::EmailChannel>(
        *parts_->email_client, notify::EmailOptions{config.smtp_url, config.smtp_from, config.timeout_ms},
        util::system_millis);
  }
  if (!config.sms_url.empty()) {
    parts_->sms_client = client_on(2);
    parts_->sms = std::make_unique<notify::SmsChannel>(
        *parts_->sms_client, notify::SmsOptions{config.sms_url, config.sms_from, config.timeout_ms});
  }
}

NotificationChannels::~NotificationChannels() = default;

notify::ChannelSet NotificationChannels::set() {
  return {*parts_->webhook, *parts_->log, parts_->email.get(), parts_->sms.get()};
}

}  // namespace ninja::app
