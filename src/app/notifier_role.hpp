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
  // Who makes the due retries: a thread of the notifier's own (serve), or whoever calls
  // Notifier::run_due() (a Lambda function's scheduled call; its environment freezes in between).
  enum class Retries { scheduled_here, on_request };

  // `owner` names this process on the delivery claims. Everything passed must outlive this.
  NotifierRole(const config::NotifyConfig& config, storage::Storage& storage, net::EventLoops& loops,
               util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log, const std::string& owner,
               Retries retries = Retries::scheduled_here);

  notify::Notifier& notifier() { return notifier_; }

 private:
  NotificationChannels channels_;  // before the notifier, which sends through them
  notify::Notifier notifier_;
};

}  // namespace ninja::app
