#pragma once
// POSTs the CloudEvent to the user's webhook_url, signed per Standard Webhooks (API.md §3).
#include "notify/channel.hpp"
#include "util/uuid.hpp"

namespace ninja::notify {

struct WebhookOptions {
  int64_t timeout_ms = 10000;
  bool allow_private = false;  // --webhook-allow-private: loopback and private receivers allowed
};

class WebhookChannel final : public Channel {
 public:
  WebhookChannel(WebhookOptions options, util::MillisClock clock);
  Attempt deliver(const Notification& notification) override;

 private:
  WebhookOptions options_;
  util::MillisClock clock_;
};

}  // namespace ninja::notify
