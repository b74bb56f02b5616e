#pragma once
// POSTs the CloudEvent to the user's webhook_url, signed per Standard Webhooks (API.md §3).
#include "notify/channel.hpp"
#include "util/uuid.hpp"

namespace ninja::net {
class CurlMulti;
}

namespace ninja::notify {

struct WebhookOptions {
  int64_t timeout_ms = 10000;
  bool allow_private = false;  // --webhook-allow-private: loopback and private receivers allowed
};

class WebhookChannel final : public Channel {
 public:
  // `client` is this channel's alone (see http_post.hpp) and outlives it.
  WebhookChannel(net::CurlMulti& client, WebhookOptions options, util::MillisClock clock);
  void deliver(const Notification& notification, util::Completion<Attempt> done) override;

 private:
  net::CurlMulti& client_;
  WebhookOptions options_;
  util::MillisClock clock_;
};

}  // namespace ninja::notify
