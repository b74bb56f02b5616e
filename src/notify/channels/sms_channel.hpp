#pragma once
// Texts the user through an SMS gateway: a form POST of To, From and Body to --sms-url
// (the shape Twilio-like gateways accept). The gateway is the operator's, so it may be private.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "notify/channel.hpp"

namespace ninja::net {
class CurlMulti;
}

namespace ninja::notify {

struct SmsOptions {
  std::string url;
  std::string from;
  int64_t timeout_ms = 10000;
};

class SmsChannel final : public Channel {
 public:
  // `client` is this channel's alone (see http_post.hpp) and outlives it.
  SmsChannel(net::CurlMulti& client, SmsOptions options);
  void deliver(const Notification& notification, util::Completion<Attempt> done) override;

 private:
  net::CurlMulti& client_;
  SmsOptions options_;
};

// application/x-www-form-urlencoded (WHATWG): unreserved bytes kept, space as '+', others %XX.
std::string form_encode(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

}  // namespace ninja::notify
