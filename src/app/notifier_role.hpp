#pragma once
// The notifier role as the configuration asks for it: the channels (on the process's event loops),
// the retry policy and the notifier over the store's deliveries. `serve` feeds it from its bus
// subscription; `lambda --handler notifier` from the SQS batches Lambda hands it.
#include <memory>
#include <string>

#include "app/notification_channels.hpp"
#include "config/config.hpp"
#include "notify/notifier.hpp"
#include "storage/open_storage.hpp"
#include "util/metrics.hpp"

namespace ninja::app {

class NotifierRole {
 public:
  // `owner` names this process on the delivery claims. Everything passed must outlive this.
  NotifierRole(const config::NotifyConfig& config, storage::Storage& storage, net::EventLoops& loops,
               util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log, const std::string& owner);

  notify::Notifier& notifier() { return notifier_; }

 private:
  NotificationChannels channels_;  // before the notifier, which sends through them
  notify::Notifier notifier_;
};

}  // namespace ninja::app
