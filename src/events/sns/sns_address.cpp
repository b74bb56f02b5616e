#include "events/sns/sns_address.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <stdexcept>

namespace ninja::events::sns {
namespace {

constexpr size_t kMaxQueueName = 80;  // SQS's limit, ".fifo" included
constexpr std::string_view kDeadLetterSuffix = "-dlq.fifo";

bool is_name_part(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace

SnsAddress SnsAddress::parse(std::string_view url) {
  const auto refuse = [&](const std::string& why) {
    // The URL holds no secret (credentials come from the environment), so it may be quoted.
    return std::invalid_argument("bus URL " + std::string(url) + ": " + why);
  };
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw refuse("is not a URL (expected sns://REGION?endpoint=URL&prefix=P)");
  const boost::urls::url_view view = *parsed;
  if (view.scheme() != "sns") throw refuse("is not an sns:// URL");
  if (view.has_userinfo()) throw refuse("may not carry a user or password (credentials come from the AWS chain)");
  if (view.has_port()) throw refuse("names a region, not a host and port");
  if (!view.path().empty() && view.path() != "/") throw refuse("may not have a path");
  SnsAddress address;
  address.region_ = std::string(view.host());
  for (const auto& param : view.params()) {
    if (param.key == "endpoint" && !param.value.empty()) {
      address.endpoint_ = std::string(param.value);
    } else if (param.key == "prefix") {
      address.prefix_ = std::string(param.value);
    } else if (param.key == "topic_arn") {
      address.topic_arn_ = std::string(param.value);
    } else {
      throw refuse("unknown parameter '" + std::string(param.key) + "' (expected endpoint, prefix and topic_arn)");
    }
  }
  if (!is_name_part(address.prefix_)) throw refuse("the prefix may only hold letters, digits, '-' and '_'");
  if (address.prefix_.size() > 40) throw refuse("the prefix is longer than 40 characters");
  if (const auto& arn = address.topic_arn_) {
    const std::string name = ":" + address.topic_name();
    if (arn->rfind("arn:", 0) != 0 || arn->size() <= name.size() ||
        arn->compare(arn->size() - name.size(), name.size(), name) != 0) {
      throw refuse("topic_arn must be the ARN of the prefix's topic (arn:…" + name + ")");
    }
  }
  return address;
}

std::string SnsAddress::topic_name() const { return prefix_ + "ninja-events.fifo"; }

std::string SnsAddress::queue_name(std::string_view consumer) const {
  if (consumer.empty() || !is_name_part(consumer)) {
    throw std::invalid_argument("consumer name '" + std::string(consumer) + "' must be letters, digits, '-' and '_'");
  }
  const std::string base = prefix_ + "ninja-" + std::string(consumer);
  if (base.size() + kDeadLetterSuffix.size() > kMaxQueueName) {
    throw std::invalid_argument("consumer name '" + std::string(consumer) + "' makes a queue name longer than " +
                                std::to_string(kMaxQueueName) + " characters");
  }
  return base + ".fifo";
}

std::string SnsAddress::dead_letter_queue_name(std::string_view consumer) const {
  const std::string queue = queue_name(consumer);
  return queue.substr(0, queue.size() - std::string_view(".fifo").size()) + std::string(kDeadLetterSuffix);
}

}  // namespace ninja::events::sns
