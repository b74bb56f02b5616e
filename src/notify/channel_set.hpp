#pragma once
// Which channel carries a user's notification: their preferred one when it is configured, else
// the log channel (so the embedded default shows its notifications without SMTP or SMS gateway).
#include "domain/user.hpp"
#include "notify/channel.hpp"

namespace ninja::notify {

struct ChannelSet {
  Channel& webhook;
  Channel& log;
  Channel* email = nullptr;  // null: no --smtp-url
  Channel* sms = nullptr;    // null: no --sms-url

  // The channel for `preferred`, or null for `none` (nothing to send).
  Channel* pick(domain::NotifyChannel preferred) const {
    switch (preferred) {
      case domain::NotifyChannel::webhook:
        return &webhook;
      case domain::NotifyChannel::email:
        return email ? email : &log;
      case domain::NotifyChannel::sms:
        return sms ? sms : &log;
      case domain::NotifyChannel::none:
        return nullptr;
    }
    return nullptr;
  }
};

}  // namespace ninja::notify
