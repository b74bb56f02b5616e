#pragma once
// Writes one JSON line per notification (API.md §3): the channel of the embedded default and the
// fallback for email and sms users when no SMTP relay or SMS gateway is configured.
#include <mutex>
#include <ostream>

#include "notify/channel.hpp"

namespace ninja::notify {

class LogChannel final : public Channel {
 public:
  explicit LogChannel(std::ostream& out) : out_(out) {}
  Attempt deliver(const Notification& notification) override;

 private:
  std::mutex mutex_;  // lines from concurrent deliveries must not interleave
  std::ostream& out_;
};

}  // namespace ninja::notify
