#include "lambda/notifier_handler.hpp"

#include <spdlog/logger.h>

#include <exception>
#include <vector>

#include "lambda/scheduled_task.hpp"
#include "lambda/sqs_batch.hpp"
#include "util/time.hpp"

namespace ninja::lambda {

std::chrono::steady_clock::time_point NotifierHandler::stop_waiting_at(const Invocation& invocation) const {
  const auto now = std::chrono::steady_clock::now();
  if (invocation.deadline_ms <= 0) return now + std::chrono::seconds(10);
  const auto left = std::chrono::milliseconds(invocation.deadline_ms - util::system_millis()) - margin_;
  return now + std::max(left, std::chrono::milliseconds(0));
}

std::string NotifierHandler::retry_due(const Invocation& invocation) const {
  const auto until = stop_waiting_at(invocation);
  size_t attempted = 0;
  while (std::chrono::steady_clock::now() < until) {
    const size_t claimed = notifier_.run_due();
    attempted += claimed;
    if (!notifier_.wait_idle(until) || claimed == 0) break;
  }
  return "{\"attempted\":" + std::to_string(attempted) + "}";
}

std::string NotifierHandler::operator()(const Invocation& invocation) const {
  if (is_scheduled_task(invocation.event, "retry-due")) return retry_due(invocation);
  const auto records = decode_sqs_batch(invocation.event);
  std::vector<bool> failed(records.size(), false);
  std::vector<events::Event> ours;
  std::vector<size_t> ours_at;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!records[i].event) {
      // Poison: after maxReceiveCount receives the queue's redrive policy moves it to the dead-letter queue.
      log_.warn("SQS message {} is not an event of ours: {}", records[i].message_id, records[i].why);
      failed[i] = true;
    } else {
      ours.push_back(*records[i].event);
      ours_at.push_back(i);
    }
  }
  if (!ours.empty()) {
    try {
      notifier_.accept(ours);  // one commit of their delivery records, then their first attempts
    } catch (const std::exception& e) {
      log_.error("could not record the deliveries of {} events (Lambda hands them out again): {}", ours.size(),
                 e.what());
      for (const size_t i : ours_at) failed[i] = true;  // not recorded: Lambda hands them out again
    }
    notifier_.wait_idle(stop_waiting_at(invocation));
  }
  return batch_item_failures(items_to_retry(records, failed));
}

}  // namespace ninja::lambda
