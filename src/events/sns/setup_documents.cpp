#include "events/sns/setup_documents.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "events/sns/event_message.hpp"

namespace ninja::events::sns {

namespace json = boost::json;

std::string filter_policy(const std::vector<std::string>& types) {
  json::array allowed;
  for (const auto& type : types) allowed.emplace_back(type);
  return json::serialize(json::object{{kTypeAttribute, std::move(allowed)}});
}

std::string redrive_policy(const std::string& dead_letter_queue_arn, int max_receives) {
  return json::serialize(
      json::object{{"deadLetterTargetArn", dead_letter_queue_arn}, {"maxReceiveCount", max_receives}});
}

std::string queue_policy(const std::string& queue_arn, const std::string& topic_arn) {
  const json::object statement{{"Sid", "ninja-events-topic"},
                               {"Effect", "Allow"},
                               {"Principal", {{"Service", "sns.amazonaws.com"}}},
                               {"Action", "sqs:SendMessage"},
                               {"Resource", queue_arn},
                               {"Condition", {{"ArnEquals", {{"aws:SourceArn", topic_arn}}}}}};
  return json::serialize(json::object{{"Version", "2012-10-17"}, {"Statement", json::array{statement}}});
}

void append_map(aws::FormParams& params, const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string entry = name + ".entry." + std::to_string(i + 1) + ".";
    params.emplace_back(entry + "key", entries[i].first);
    params.emplace_back(entry + "value", entries[i].second);
  }
}

}  // namespace ninja::events::sns
