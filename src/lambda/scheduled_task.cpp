#include "lambda/scheduled_task.hpp"

#include <boost/json/parse.hpp>

namespace ninja::lambda {

bool is_scheduled_task(std::string_view event, std::string_view task) {
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(event, ec);
  const auto* root = ec ? nullptr : parsed.if_object();
  const auto* value = root ? root->if_contains("ninja") : nullptr;
  return value && value->is_string() && value->as_string() == task;
}

}  // namespace ninja::lambda
