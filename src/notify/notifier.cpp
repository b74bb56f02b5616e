#include "notify/notifier.hpp"

#include <spdlog/logger.h>
#include <boost/json/parse.hpp>

#include <algorithm>

#include "util/thread_name.hpp"

namespace ninja::notify {
namespace {

// What the notification needs from the OrderCreated event's data (the order as GET returns it).
struct OrderFacts {
  std::string user_id;
  int64_t total = 0;
  std::string currency;
};

OrderFacts order_facts(std::string_view cloud_event_json) {
  const auto event = boost::json::parse(cloud_event_json);
  const auto& data = event.at("data").as_object();
  return {std::string(data.at("user_id").as_string()), data.at("total").to_number<int64_t>(),
          std::string(data.at("currency").as_string())};
}

std::vector<double> delivery_latency_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600};
}

}  // namespace

Notifier::Notifier(domain::Store& store, DeliveryStore& deliveries, ChannelSet channels, RetryPolicy retry,
                   NotifierOptions options, util::MillisClock clock, std::function<double()> random_unit,
                   util::MetricsRegistry& metrics, std::shared_ptr<spdlog::logger> log)
    : store_(store),
      deliveries_(deliveries),
      channels_(channels),
      retry_(retry),
      options_(std::move(options)),
      clock_(std::move(clock)),
      random_unit_(std::move(random_unit)),
      outcomes_(metrics.counter("notifications_total",
                                "Notification attempts and skips by preferred channel and outcome"
                                " (delivered, retry, dead, skipped)",
                                {"channel", "outcome"})),
      latency_(metrics.histogram("notification_delivery_seconds",
                                 "Time from the order's commit to its notification's delivery", {"channel"},
                                 delivery_latency_buckets())),
      log_(std::move(log)) {}

Notifier::~Notifier() { stop(); }

std::optional<domain::User> Notifier::find_user(const std::string& id) {
  return util::await_result<std::optional<domain::User>>([&](auto done) { store_.find_user(id, std::move(done)); });
}

domain::Delivery Notifier::intake(const events::Event& event, std::string user_id, int64_t now_ms) {
  domain::Delivery d;
  d.event_id = event.id;
  d.order_id = event.subject;
  d.event_time_ms = event.time_ms;
  d.payload = event.payload;
  d.created_at_ms = now_ms;
  d.updated_at_ms = now_ms;
  d.user_id = std::move(user_id);
  const auto user = find_user(d.user_id);  // a store failure propagates: the batch is refused
  if (!user || user->notify_channel == domain::NotifyChannel::none) {
    d.channel = "none";
    d.status = domain::DeliveryStatus::skipped;
    if (!user) d.last_error = "user not found";
    return d;
  }
  d.channel = std::string(domain::to_string(user->notify_channel));
  d.next_attempt_at_ms = now_ms;
  return d;
}

void Notifier::accept(const std::vector<events::Event>& events) {
  {
    // While stopping, record without waiting: the relay marks these events published once we
    // return, so they must be in the delivery table (their claims lapse and another run sends them).
    std::unique_lock lock(mutex_);
    room_.wait(lock, [this] { return stopping_ || queue_.size() < std::max<size_t>(options_.max_queued, 1); });
  }
  const int64_t now = clock_();
  std::vector<domain::Delivery> batch;
  for (const auto& event : events) {
    if (event.type != events::kOrderCreated) continue;
    std::string user_id;
    try {
      user_id = order_facts(event.payload).user_id;
    } catch (const std::exception& e) {
      // Only a bug can make our own event unreadable; refusing it would stall the outbox forever.
      log_->error("notifier dropped event {}: unreadable OrderCreated payload: {}", event.id, e.what());
      continue;
    }
    // Anything else that fails here (the store, while it is down) refuses the whole batch, which
    // the bus then offers again: an event is never acknowledged without its delivery record.
    batch.push_back(intake(event, std::move(user_id), now));
  }
  const auto inserted = util::await_result<std::vector<bool>>([&](auto done) {
    deliveries_.add_deliveries(batch, {options_.owner, now, now + options_.lease.count()}, std::move(done));
  });
  std::vector<domain::Delivery> fresh;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!inserted[i]) continue;  // a redelivered event: its delivery exists already
    if (batch[i].is_final()) {
      outcomes_.inc({batch[i].channel, "skipped"});
    } else {
      fresh.push_back(std::move(batch[i]));
    }
  }
  enqueue(std::move(fresh));
}

void Notifier::attempt(domain::Delivery delivery) {
  try {
    const auto user = find_user(delivery.user_id);
    Channel* channel = user ? channels_.pick(user->notify_channel) : nullptr;
    if (!user || !channel) {
      delivery.status = domain::DeliveryStatus::skipped;
      delivery.last_error = user ? "channel none" : "user not found";
      delivery.updated_at_ms = clock_();
      delivery.next_attempt_at_ms.reset();
      record(delivery, "skipped");
      return;
    }
    const auto facts = order_facts(delivery.payload);
    const Notification notification{delivery.event_id,
                                    delivery.payload,
                                    delivery.event_time_ms,
                                    delivery.order_id,
                                    facts.total,
                                    facts.currency,
                                    *user};
    const Attempt result = channel->deliver(notification);
    retry_.apply(delivery, result, clock_(), random_unit_());
    record(delivery, result.outcome == Outcome::delivered              ? "delivered"
                     : delivery.status == domain::DeliveryStatus::dead ? "dead"
                                                                       : "retry");
  } catch (const std::exception& e) {
    // The store failed: the claim lapses and the attempt is made again later.
    log_->error("notification {} attempt could not be recorded: {}", delivery.event_id, e.what());
  }
}

void Notifier::record(const domain::Delivery& delivery, std::string_view outcome) {
  util::await_done([&](auto done) { deliveries_.record_attempt(delivery, std::move(done)); });
  outcomes_.inc({delivery.channel, outcome});
  if (delivery.status == domain::DeliveryStatus::delivered && delivery.delivered_at_ms) {
    latency_.observe({delivery.channel},
                     static_cast<double>(*delivery.delivered_at_ms - delivery.event_time_ms) / 1000.0);
  } else if (delivery.status == domain::DeliveryStatus::dead) {
    log_->warn("notification {} for order {} is dead after {} attempts: {}", delivery.event_id, delivery.order_id,
               delivery.attempts, delivery.last_error.value_or(""));
  } else if (delivery.status == domain::DeliveryStatus::failed) {
    wake();  // the scheduler must learn about the new due time
  }
}

void Notifier::enqueue(std::vector<domain::Delivery> deliveries) {
  if (deliveries.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& d : deliveries) queue_.push_back(std::move(d));
  }
  queued_.notify_all();
}

void Notifier::start() {
  std::lock_guard lock(mutex_);
  if (scheduler_.joinable()) return;
  stopping_ = false;
  for (size_t i = 0; i < std::max<size_t>(options_.workers, 1); ++i) {
    workers_.emplace_back([this, i] {
      util::name_this_thread("notify-" + std::to_string(i));
      work();
    });
  }
  scheduler_ = std::thread([this] {
    util::name_this_thread("notify-sched");
    schedule();
  });
}

void Notifier::stop() {
  std::deque<domain::Delivery> unstarted;
  {
    std::lock_guard lock(mutex_);
    if (!scheduler_.joinable()) return;
    stopping_ = true;
    unstarted.swap(queue_);
  }
  queued_.notify_all();
  schedule_.notify_all();
  room_.notify_all();
  scheduler_.join();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  // Release the claims of queued deliveries so another notifier (or our restart) takes them now.
  for (const auto& d : unstarted) {
    try {
      util::await_done([&](auto done) { deliveries_.record_attempt(d, std::move(done)); });
    } catch (const std::exception& e) {
      log_->warn("could not release notification {} (its claim will lapse): {}", d.event_id, e.what());
    }
  }
}

void Notifier::wake() {
  {
    std::lock_guard lock(mutex_);
    wake_ = true;
  }
  schedule_.notify_all();
}

void Notifier::work() {
  for (;;) {
    domain::Delivery delivery;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      delivery = std::move(queue_.front());
      queue_.pop_front();
    }
    room_.notify_one();
    attempt(std::move(delivery));
  }
}

void Notifier::schedule() {
  // Keeps enough claimed work queued to keep every worker busy, no more: claims are leases, and
  // a delivery that waits in our queue past its lease could be claimed twice.
  const size_t target = std::max<size_t>(options_.workers, 1) * 2;
  for (;;) {
    auto wait = options_.poll;
    try {
      size_t queued = 0;
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        queued = queue_.size();
      }
      if (queued < target) {
        const int64_t now = clock_();
        auto claimed = util::await_result<std::vector<domain::Delivery>>([&](auto done) {
          deliveries_.claim_due(target - queued, {options_.owner, now, now + options_.lease.count()}, std::move(done));
        });
        const bool full = claimed.size() == target - queued;
        enqueue(std::move(claimed));
        if (full) wait = std::chrono::milliseconds(10);
      } else {
        wait = std::chrono::milliseconds(10);
      }
      if (wait == options_.poll) {
        const auto due =
            util::await_result<std::optional<int64_t>>([&](auto done) { deliveries_.next_due_ms(std::move(done)); });
        if (due) {
          const auto until_due = std::chrono::milliseconds(std::max<int64_t>(*due - clock_(), 0) + 1);
          wait = std::min(wait, until_due);
        }
      }
    } catch (const std::exception& e) {
      log_->error("notification scheduler: {}", e.what());
    }
    std::unique_lock lock(mutex_);
    schedule_.wait_for(lock, wait, [this] { return stopping_ || wake_; });
    wake_ = false;
    if (stopping_) return;
  }
}

}  // namespace ninja::notify
