#include "notify/channels/webhook_channel.hpp"

#include "notify/http_post.hpp"
#include "notify/webhook_signature.hpp"

namespace ninja::notify {

WebhookChannel::WebhookChannel(net::CurlMulti& client, WebhookOptions options, util::MillisClock clock)
    : client_(client), options_(options), clock_(std::move(clock)) {}

void WebhookChannel::deliver(const Notification& n, util::Completion<Attempt> done) {
  if (!n.user.webhook_url || n.user.webhook_url->empty()) return done({Outcome::dead, "user has no webhook_url"}, {});
  if (!n.user.webhook_secret) return done({Outcome::dead, "user has no webhook secret"}, {});
  // Signed at send time: receivers reject stale timestamps, and retries may come much later.
  const int64_t timestamp = clock_() / 1000;
  const auto signature = sign_webhook(*n.user.webhook_secret, n.event_id, timestamp, n.event_json);
  if (!signature) return done({Outcome::dead, "user's webhook secret is malformed"}, {});

  HttpPost request;
  request.url = *n.user.webhook_url;
  request.content_type = "application/json";
  request.headers = {"webhook-id: " + n.event_id, "webhook-timestamp: " + std::to_string(timestamp),
                     "webhook-signature: " + *signature};
  request.body = n.event_json;
  request.timeout_ms = options_.timeout_ms;
  request.allow_private = options_.allow_private;
  post(client_, request,
       [done = std::move(done)](const HttpResult& result, const std::exception_ptr&) { done(classify(result), {}); });
}

}  // namespace ninja::notify
