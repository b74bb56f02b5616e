#pragma once
// `lambda --handler notifier`: the SQS batches of the notifier's queue, and a scheduled call for
// the retries that are due. Lambda freezes the environment once an invocation returns, so every
// attempt it starts is finished (or its deadline near) before it answers; an attempt that fails is
// recorded with its next time, and a later scheduled call makes it.
#include <chrono>
#include <string>

#include "lambda/invocation.hpp"
#include "notify/notifier.hpp"

namespace spdlog {
class logger;
}

namespace ninja::lambda {

class NotifierHandler {
 public:
  // `margin`: how long before the invocation's deadline it stops waiting for attempts.
  NotifierHandler(notify::Notifier& notifier, spdlog::logger& log,
                  std::chrono::milliseconds margin = std::chrono::seconds(2))
      : notifier_(notifier), log_(log), margin_(margin) {}

  // An SQS batch: records a delivery per order.created event (deduplicated by event id, so a
  // redelivered message has no second effect), makes the first attempts and answers with the
  // messages to retry: those that are not our events (poison: after the queue's maxReceiveCount
  // they reach the dead-letter queue) and, when the store failed, all, with the later messages of
  // their groups. `{"ninja":"retry-due"}` (the schedule): attempts what is due until nothing is
  // or the deadline nears; answers {"attempted":N}.
  std::string operator()(const Invocation& invocation) const;

 private:
  std::chrono::steady_clock::time_point stop_waiting_at(const Invocation& invocation) const;
  std::string retry_due(const Invocation& invocation) const;

  notify::Notifier& notifier_;
  spdlog::logger& log_;
  std::chrono::milliseconds margin_;
};

}  // namespace ninja::lambda
