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
  // Writes the line before it returns (a local file is no network wait).
  void deliver(const Notification& notification, util::Completion<Attempt> done) override;

 private:
  Attempt write_line(const Notification& notification);
  std::mutex mutex_;  // lines from concurrent deliveries must not interleave
  std::ostream& out_;
};

}  // namespace ninja::notify
