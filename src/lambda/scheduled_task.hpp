#pragma once
// The scheduled calls of the deployment (EventBridge, every minute): `{"ninja":"sweep"}` for the
// relay, `{"ninja":"retry-due"}` for the notifier.
#include <string_view>

namespace ninja::lambda {

// Whether `event` is `{"ninja":"<task>", ...}`.
bool is_scheduled_task(std::string_view event, std::string_view task);

}  // namespace ninja::lambda
