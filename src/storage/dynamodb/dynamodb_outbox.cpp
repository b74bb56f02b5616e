#include "storage/dynamodb/dynamodb_outbox.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "storage/dynamodb/attribute_value.hpp"
#include "storage/dynamodb/cancellation.hpp"
#include "storage/dynamodb/claim_candidates.hpp"
#include "storage/dynamodb/items.hpp"
#include "storage/dynamodb/outbox_requests.hpp"

namespace ninja::storage::dynamodb {

namespace json = boost::json;

namespace {

// Claimed ids whose subjects are remembered at most; beyond (claims never marked, say after many
// failed publishes) the memory starts again and mark_published looks them up on the index.
constexpr size_t kMaxRemembered = 100'000;

// Counts the parallel calls of one step and keeps the first error.
struct Fanout {
  std::mutex mutex;
  size_t outstanding = 0;
  std::exception_ptr error;
};

}  // namespace

struct DynamoDbOutbox::Subjects {
  std::mutex mutex;
  std::unordered_map<std::string, std::string> of;

  void remember(const std::string& id, const std::string& subject) {
    std::lock_guard lock(mutex);
    if (of.size() >= kMaxRemembered) of.clear();
    of[id] = subject;
  }
  std::optional<std::string> take(const std::string& id) {
    std::lock_guard lock(mutex);
    auto it = of.find(id);
    if (it == of.end()) return std::nullopt;
    std::string subject = std::move(it->second);
    of.erase(it);
    return subject;
  }
};

namespace {

struct ClaimCall : Fanout {
  DynamoDbShared* shared;
  std::shared_ptr<DynamoDbOutbox::Subjects> subjects;
  size_t limit;
  util::Lease lease;
  util::Completion<std::vector<events::Event>> done;
  std::set<std::string> seen;
  std::vector<std::string> candidates;
  std::vector<events::Event> claimed;
};

void finish_claim(const std::shared_ptr<ClaimCall>& call) {
  // A failure of some leases still hands out the others; the failed ones are tried by later claims.
  if (call->claimed.empty() && call->error) return call->done({}, call->error);
  std::sort(call->claimed.begin(), call->claimed.end(),
            [](const events::Event& a, const events::Event& b) { return a.id < b.id; });
  call->done(std::move(call->claimed), nullptr);
}

// One subject: its oldest pending event, read consistently, leased if it is free.
void lease_subject(const std::shared_ptr<ClaimCall>& call, const std::string& subject) {
  const auto settle = [call](std::optional<events::Event> event, std::exception_ptr error) {
    std::unique_lock lock(call->mutex);
    if (event) {
      call->subjects->remember(event->id, event->subject);
      call->claimed.push_back(std::move(*event));
    }
    if (error && !is_condition_failure(error) && !call->error) call->error = error;
    if (--call->outstanding > 0) return;
    lock.unlock();
    finish_claim(call);
  };
  auto& clients = *call->shared->clients;
  clients.call("Query", oldest_pending_of_subject_query(call->shared->layout, subject),
               [call, settle](json::object answer, std::exception_ptr error) {
                 if (error) return settle(std::nullopt, error);
                 std::optional<json::object> oldest;
                 try {
                   oldest = claimable(answer.at("Items").as_array(), call->lease);
                 } catch (...) {
                   return settle(std::nullopt, std::current_exception());
                 }
                 if (!oldest) return settle(std::nullopt, nullptr);  // held by another relay, or published
                 const auto& layout = call->shared->layout;
                 call->shared->clients->call(
                     "UpdateItem",
                     claim_update(layout, read_string(*oldest, "subject"), read_string(*oldest, "id"), call->lease),
                     [settle](json::object updated, std::exception_ptr error) {
                       if (error) return settle(std::nullopt, error);
                       try {
                         settle(event_from_item(updated.at("Attributes").as_object()), nullptr);
                       } catch (...) {
                         settle(std::nullopt, std::current_exception());
                       }
                     });
               });
}

void lease_candidates(const std::shared_ptr<ClaimCall>& call) {
  if (call->candidates.empty()) return call->done({}, nullptr);
  call->outstanding = call->candidates.size();
  for (const auto& subject : call->candidates) lease_subject(call, subject);
}

// Reads the index from `start` until `limit` subjects are candidates or the index ends.
void find_candidates(std::shared_ptr<ClaimCall> call, std::optional<json::value> start) {
  json::object query = unpublished_query(call->shared->layout, kIndexPage);
  if (start) query["ExclusiveStartKey"] = std::move(*start);
  auto& clients = *call->shared->clients;
  clients.call("Query", query, [call](json::object answer, std::exception_ptr error) mutable {
    if (error) return call->done({}, error);
    try {
      auto more = candidate_subjects(answer.at("Items").as_array(), call->lease, call->limit - call->candidates.size(),
                                     call->seen);
      for (auto& subject : more) call->candidates.push_back(std::move(subject));
    } catch (...) {
      return call->done({}, std::current_exception());
    }
    const auto* last = answer.if_contains("LastEvaluatedKey");
    if (call->candidates.size() < call->limit && last != nullptr && last->is_object() && !last->get_object().empty()) {
      return find_candidates(std::move(call), *last);
    }
    lease_candidates(call);
  });
}

struct MarkCall : Fanout {
  DynamoDbShared* shared;
  int64_t now_ms;
  util::Done done;
};

void settle_mark(const std::shared_ptr<MarkCall>& call, const std::exception_ptr& error) {
  std::unique_lock lock(call->mutex);
  // A condition failure: the event is gone (published before and expired by the table's TTL), nothing to mark.
  if (error && !is_condition_failure(error) && !call->error) call->error = error;
  if (--call->outstanding > 0) return;
  lock.unlock();
  call->done(call->error);
}

void mark_one(const std::shared_ptr<MarkCall>& call, const std::string& subject, const std::string& id) {
  call->shared->clients->call(
      "UpdateItem", mark_published_update(call->shared->layout, call->shared->expiry, subject, id, call->now_ms),
      [call](json::object, std::exception_ptr error) { settle_mark(call, error); });
}

// An id of no claim of ours: its subject from the index (absent there: published already).
void look_up_and_mark(const std::shared_ptr<MarkCall>& call, const std::string& id) {
  call->shared->clients->call("Query", unpublished_event_query(call->shared->layout, id),
                              [call, id](json::object answer, std::exception_ptr error) {
                                if (error) return settle_mark(call, error);
                                std::optional<std::string> subject;
                                try {
                                  const auto& items = answer.at("Items").as_array();
                                  if (!items.empty()) subject = read_string(items.front().as_object(), "subject");
                                } catch (...) {
                                  return settle_mark(call, std::current_exception());
                                }
                                if (!subject) return settle_mark(call, nullptr);
                                mark_one(call, *subject, id);
                              });
}

}  // namespace

DynamoDbOutbox::DynamoDbOutbox(std::shared_ptr<DynamoDbShared> shared)
    : shared_(std::move(shared)), subjects_(std::make_shared<Subjects>()) {}

void DynamoDbOutbox::claim(size_t limit, util::Lease lease, util::Completion<std::vector<events::Event>> done) {
  if (limit == 0) return done({}, nullptr);
  auto call = std::make_shared<ClaimCall>();
  call->shared = shared_.get();
  call->subjects = subjects_;
  call->limit = limit;
  call->lease = std::move(lease);
  call->done = std::move(done);
  find_candidates(std::move(call), std::nullopt);
}

void DynamoDbOutbox::claim_subjects(std::vector<std::string> subjects, util::Lease lease,
                                    util::Completion<std::vector<events::Event>> done) {
  auto call = std::make_shared<ClaimCall>();
  call->shared = shared_.get();
  call->subjects = subjects_;
  call->limit = subjects.size();
  call->lease = std::move(lease);
  call->done = std::move(done);
  for (auto& subject : subjects) {
    if (call->seen.insert(subject).second) call->candidates.push_back(std::move(subject));
  }
  lease_candidates(call);
}

void DynamoDbOutbox::mark_published(std::vector<std::string> event_ids, int64_t now_ms, util::Done done) {
  if (event_ids.empty()) return done(nullptr);
  auto call = std::make_shared<MarkCall>();
  call->shared = shared_.get();
  call->now_ms = now_ms;
  call->done = std::move(done);
  call->outstanding = event_ids.size();
  for (const auto& id : event_ids) {
    if (auto subject = subjects_->take(id)) {
      mark_one(call, *subject, id);
    } else {
      look_up_and_mark(call, id);
    }
  }
}

void DynamoDbOutbox::oldest_unpublished_ms(util::Completion<std::optional<int64_t>> done) {
  shared_->clients->call("Query", unpublished_query(shared_->layout, 1),
                         [done = std::move(done)](json::object answer, std::exception_ptr error) {
                           if (error) return done({}, error);
                           std::optional<int64_t> oldest;
                           try {
                             const auto& items = answer.at("Items").as_array();
                             if (!items.empty()) oldest = read_number(items.front().as_object(), "time");
                           } catch (...) {
                             return done({}, std::current_exception());
                           }
                           done(oldest, nullptr);
                         });
}

std::unique_ptr<events::Subscription> DynamoDbOutbox::watch_commits(std::function<void()> notice) {
  return shared_->commits->watch(std::move(notice));
}

}  // namespace ninja::storage::dynamodb
