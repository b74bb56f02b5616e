#include "notify/notifier.hpp"

#include <spdlog/logger.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>

#include "util/error_text.hpp"
#include "util/thread_name.hpp"

namespace ninja::notify {
namespace {

OrderFacts order_facts(std::string_view cloud_event_json) {
  // Parsed into a buffer on the stack: a small order's event needs no heap allocation (this runs
  // twice per order, at intake and at the attempt).
  unsigned char buffer[8192];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  const auto event = boost::json::parse(cloud_event_json, &arena);
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

domain::Delivery Notifier::intake(const events::Event& event, const std::optional<domain::User>& user, int64_t now_ms) {
  domain::Delivery d;
  d.event_id = event.id;
  d.order_id = event.subject;
  d.event_time_ms = event.time_ms;
  d.payload = event.payload;
  d.created_at_ms = now_ms;
  d.updated_at_ms = now_ms;
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
  std::vector<Job> batch;
  for (const auto& event : events) {
    if (event.type != events::kOrderCreated) continue;
    OrderFacts facts;
    try {
      facts = order_facts(event.payload);
    } catch (const std::exception& e) {
      // Only a bug can make our own event unreadable; refusing it would stall the outbox forever.
      log_->error("notifier dropped event {}: unreadable OrderCreated payload: {}", event.id, e.what());
      continue;
    }
    // Anything else that fails here (the store, while it is down) refuses the whole batch, which
    // the bus then offers again: an event is never acknowledged without its delivery record.
    auto user = find_user(facts.user_id);
    Job job{intake(event, user, now), std::move(user), std::nullopt};
    job.delivery.user_id = facts.user_id;
    job.facts = std::move(facts);
    batch.push_back(std::move(job));
  }
  std::vector<domain::Delivery> records;
  records.reserve(batch.size());
  for (const auto& job : batch) records.push_back(job.delivery);
  const auto inserted = util::await_result<std::vector<bool>>([&](auto done) {
    deliveries_.add_deliveries(records, {options_.owner, now, now + options_.lease.count()}, std::move(done));
  });
  std::vector<Job> fresh;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!inserted[i]) continue;  // a redelivered event: its delivery exists already
    if (batch[i].delivery.is_final()) {
      outcomes_.inc({batch[i].delivery.channel, "skipped"});
    } else {
      fresh.push_back(std::move(batch[i]));
    }
  }
  enqueue(std::move(fresh));
}

void Notifier::enqueue(std::vector<Job> jobs) {
  if (jobs.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& job : jobs) queue_.push_back(std::move(job));
  }
  pump();
}

void Notifier::pump() {
  std::unique_lock lock(mutex_);
  if (pumping_) {
    pump_again_ = true;  // an attempt finished inside the loop below: it picks up the room
    return;
  }
  pumping_ = true;
  const size_t concurrency = std::max<size_t>(options_.concurrency, 1);
  do {
    pump_again_ = false;
    while (started_ && !stopping_ && in_flight_ < concurrency && !queue_.empty()) {
      Job job = std::move(queue_.front());
      queue_.pop_front();
      ++in_flight_;
      lock.unlock();
      room_.notify_one();
      attempt(std::move(job));  // may finish before it returns (the log channel, a closed client)
      lock.lock();
    }
  } while (pump_again_);
  pumping_ = false;
}

void Notifier::attempt(Job job) {
  if (job.user) return send(std::move(job.delivery), job.user, std::move(job.facts));
  const std::string user_id = job.delivery.user_id;
  store_.find_user(user_id, [this, delivery = std::move(job.delivery), facts = std::move(job.facts)](
                                std::optional<domain::User> user, const std::exception_ptr& error) mutable {
    if (error) {
      // The store failed: the claim lapses and the attempt is made again later.
      log_->error("notification {} attempt could not read its user: {}", delivery.event_id, util::error_text(error));
      return finished();
    }
    send(std::move(delivery), user, std::move(facts));
  });
}

void Notifier::send(domain::Delivery delivery, const std::optional<domain::User>& user,
                    std::optional<OrderFacts> facts) {
  Channel* channel = user ? channels_.pick(user->notify_channel) : nullptr;
  if (!user || !channel) {
    delivery.status = domain::DeliveryStatus::skipped;
    delivery.last_error = user ? "channel none" : "user not found";
    delivery.updated_at_ms = clock_();
    delivery.next_attempt_at_ms.reset();
    return record(std::move(delivery), "skipped");
  }
  Notification notification;
  try {
    if (!facts) facts = order_facts(delivery.payload);
    notification = {delivery.event_id,
                    delivery.payload,
                    delivery.event_time_ms,
                    delivery.order_id,
                    facts->total,
                    std::move(facts->currency),
                    *user};
  } catch (const std::exception& e) {
    log_->error("notification {} has an unreadable payload: {}", delivery.event_id, e.what());
    return finished();
  }
  channel->deliver(notification,
                   [this, delivery = std::move(delivery)](Attempt result, const std::exception_ptr&) mutable {
                     retry_.apply(delivery, result, clock_(), random_unit_());
                     const char* outcome = result.outcome == Outcome::delivered              ? "delivered"
                                           : delivery.status == domain::DeliveryStatus::dead ? "dead"
                                                                                             : "retry";
                     record(std::move(delivery), outcome);
                   });
}

void Notifier::record(domain::Delivery delivery, std::string outcome) {
  // The completion gets a copy made before the store takes the record: argument order is unspecified.
  auto on_recorded = [this, delivery, outcome = std::move(outcome)](const std::exception_ptr& error) {
    if (error) {
      // The claim lapses and the attempt is made again later.
      log_->error("notification {} attempt could not be recorded: {}", delivery.event_id, util::error_text(error));
      return finished();
    }
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
    finished();
  };
  deliveries_.record_attempt(std::move(delivery), std::move(on_recorded));
}

void Notifier::finished() {
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    // While stopping, stop() may destroy the notifier as soon as the lock is free: touch nothing after.
    if (stopping_) return idle_.notify_all();
    if (in_flight_ == 0 && queue_.empty()) idle_.notify_all();  // wait_idle()
  }
  pump();
}

void Notifier::start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
    stopping_ = false;
    if (options_.schedule) {
      scheduler_ = std::thread([this] {
        util::name_this_thread("notify-sched");
        schedule();
      });
    }
  }
  pump();  // what accept() queued before the start
}

void Notifier::stop() {
  std::deque<Job> unstarted;
  {
    std::unique_lock lock(mutex_);
    if (!started_) return;
    stopping_ = true;
    schedule_.notify_all();
    room_.notify_all();
    idle_.wait(lock, [this] { return in_flight_ == 0; });
    unstarted.swap(queue_);
  }
  if (scheduler_.joinable()) scheduler_.join();
  {
    std::lock_guard lock(mutex_);
    started_ = false;
    for (auto& job : queue_) unstarted.push_back(std::move(job));  // what the scheduler claimed meanwhile
    queue_.clear();
  }
  // Release the claims of queued deliveries so another notifier (or our restart) takes them now.
  for (const auto& job : unstarted) {
    try {
      util::await_done([&](auto done) { deliveries_.record_attempt(job.delivery, std::move(done)); });
    } catch (const std::exception& e) {
      log_->warn("could not release notification {} (its claim will lapse): {}", job.delivery.event_id, e.what());
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

size_t Notifier::claim_due(size_t limit) {
  const int64_t now = clock_();
  auto claimed = util::await_result<std::vector<domain::Delivery>>([&](auto done) {
    deliveries_.claim_due(limit, {options_.owner, now, now + options_.lease.count()}, std::move(done));
  });
  std::vector<Job> jobs;
  jobs.reserve(claimed.size());
  for (auto& delivery : claimed) jobs.push_back({std::move(delivery), std::nullopt, std::nullopt});
  const size_t count = jobs.size();
  enqueue(std::move(jobs));
  return count;
}

size_t Notifier::run_due() { return claim_due(std::max<size_t>(options_.concurrency, 1)); }

bool Notifier::wait_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return idle_.wait_until(lock, deadline, [this] { return queue_.empty() && in_flight_ == 0; });
}

void Notifier::schedule() {
  // Keeps enough claimed work queued to keep every attempt slot busy, no more: claims are leases, and
  // a delivery that waits in our queue past its lease could be claimed twice.
  const size_t target = std::max<size_t>(options_.concurrency, 1) * 2;
  for (;;) {
    auto wait = options_.poll;
    try {
      size_t queued = 0;
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        queued = queue_.size() + in_flight_;
      }
      if (queued < target) {
        const bool full = claim_due(target - queued) == target - queued;
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
