#include "lambda/relay_handler.hpp"

#include <boost/json/parse.hpp>

#include <fmt/format.h>

#include <optional>
#include <set>
#include <thread>

#include "lambda/scheduled_task.hpp"
#include "util/completion.hpp"
#include "util/time.hpp"

namespace ninja::lambda {

std::vector<std::string> stream_insert_subjects(std::string_view event) {
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(event, ec);
  const auto* root = ec ? nullptr : parsed.if_object();
  const auto* records = root ? root->if_contains("Records") : nullptr;
  if (!records || !records->is_array()) throw InvocationError(kBadEvent, "not a DynamoDB Streams event");
  std::vector<std::string> subjects;
  std::set<std::string> seen;
  for (const auto& r : records->as_array()) {
    const auto* record = r.if_object();
    const auto* source = record ? record->if_contains("eventSource") : nullptr;
    if (!source || !source->is_string() || source->as_string() != "aws:dynamodb") {
      throw InvocationError(kBadEvent, "not a DynamoDB Streams event (a record without eventSource aws:dynamodb)");
    }
    const auto* name = record->if_contains("eventName");
    if (!name || !name->is_string() || name->as_string() != "INSERT") continue;
    const boost::json::value* subject = nullptr;
    if (const auto* change = record->if_contains("dynamodb"); change && change->is_object()) {
      if (const auto* keys = change->as_object().if_contains("Keys"); keys && keys->is_object()) {
        if (const auto* key = keys->as_object().if_contains("subject"); key && key->is_object()) {
          subject = key->as_object().if_contains("S");
        }
      }
    }
    if (!subject || !subject->is_string() || subject->as_string().empty()) {
      throw InvocationError(kBadEvent, "an INSERT record without the outbox's key `subject`");
    }
    if (seen.insert(std::string(subject->as_string())).second) subjects.emplace_back(subject->as_string());
  }
  return subjects;
}

std::string outbox_lag_metric(double age_seconds, int64_t now_ms) {
  return fmt::format(R"({{"_aws":{{"Timestamp":{},"CloudWatchMetrics":[{{"Namespace":"NinjaOrders","Dimensions":[[]],)"
                     R"("Metrics":[{{"Name":"OutboxOldestPendingAgeSeconds","Unit":"Seconds"}}]}}]}},)"
                     R"("OutboxOldestPendingAgeSeconds":{:.3f}}})",
                     now_ms, age_seconds);
}

size_t RelayHandler::drain(std::chrono::steady_clock::time_point until) const {
  size_t published = 0;
  while (std::chrono::steady_clock::now() < until) {
    const size_t round = relay_.relay_once();
    if (round == 0) break;
    published += round;
  }
  return published;
}

size_t RelayHandler::relay_subjects(const std::vector<std::string>& subjects,
                                    std::chrono::steady_clock::time_point until,
                                    std::chrono::steady_clock::time_point keep_looking) const {
  size_t published = 0;
  bool published_all = false;
  while (std::chrono::steady_clock::now() < until) {
    const size_t round = relay_.relay_subjects(subjects);
    published += round;
    published_all = published_all || published >= subjects.size();
    if (round > 0) continue;  // a subject may have more pending events
    if (published_all || std::chrono::steady_clock::now() >= keep_looking) break;
    std::this_thread::sleep_for(options_.look_again);
  }
  return published;
}

std::string RelayHandler::operator()(const Invocation& invocation) const {
  const auto now = std::chrono::steady_clock::now();
  auto until = now + std::chrono::seconds(10);
  if (invocation.deadline_ms > 0) {
    const auto left = std::chrono::milliseconds(invocation.deadline_ms - clock_()) - options_.margin;
    until = now + std::max(left, std::chrono::milliseconds(0));
  }
  if (is_scheduled_task(invocation.event, "sweep")) {
    // The lag before the sweep publishes anything: how long the oldest event has waited (after a
    // lost stream record, a dead invocation), which is what the delayed-order alarm is about.
    const auto oldest =
        util::await_result<std::optional<int64_t>>([&](auto done) { outbox_.oldest_unpublished_ms(std::move(done)); });
    const int64_t at = clock_();
    emit_(outbox_lag_metric(oldest ? static_cast<double>(std::max<int64_t>(at - *oldest, 0)) / 1000.0 : 0.0, at));
    return "{\"published\":" + std::to_string(drain(until)) + "}";
  }
  const auto subjects = stream_insert_subjects(invocation.event);
  relay_subjects(subjects, until, std::min(until, now + options_.index_lag));
  drain(until);  // and whatever else is pending (a lost or filtered record's event): the sweep's work, sooner
  return R"({"batchItemFailures":[]})";
}

}  // namespace ninja::lambda
