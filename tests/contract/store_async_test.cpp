// Store contract: the asynchronous write API (Completion callbacks). The blocking forms used by the
// other suites are wrappers over it; here the callbacks themselves are checked: called exactly once,
// with the outcome or the error, after the write is visible, and with many writes in flight at once.
#include <chrono>
#include <condition_variable>
#include <exception>
#include <future>
#include <mutex>
#include <set>

#include "store_contract.hpp"

namespace ninja::contract {
namespace {

template <class Backend>
class StoreAsync : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreAsync, StoreBackends, BackendName);

// Collects completions (which arrive on store threads) keyed by a caller-chosen slot.
template <class T>
class Completions {
 public:
  explicit Completions(size_t slots) : outcomes_(slots), errors_(slots), calls_(slots, 0) {}

  util::Completion<T> slot(size_t i) {
    return [this, i](T outcome, std::exception_ptr error) {
      {
        std::lock_guard lock(mutex_);
        outcomes_[i] = outcome;
        errors_[i] = error;
        ++calls_[i];
        ++total_;
      }
      changed_.notify_all();
    };
  }
  // Waits until at least `n` completions arrived; false on timeout.
  bool wait_for(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return total_ >= n; });
  }
  T outcome(size_t i) {
    std::lock_guard lock(mutex_);
    return outcomes_[i];
  }
  bool failed(size_t i) {
    std::lock_guard lock(mutex_);
    return errors_[i] != nullptr;
  }
  int calls(size_t i) {
    std::lock_guard lock(mutex_);
    return calls_[i];
  }
  size_t total() {
    std::lock_guard lock(mutex_);
    return total_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<T> outcomes_;
  std::vector<std::exception_ptr> errors_;
  std::vector<int> calls_;
  size_t total_ = 0;
};

TYPED_TEST(StoreAsync, CompletionReportsEachOutcomeExactlyOnce) {
  const auto user = this->make_user("async@example.com");
  const auto dup = this->make_user("ASYNC@example.com");
  const auto order = this->make_order(user.id);
  const auto orphan = this->make_order(this->next_id());
  const auto user_event = this->user_created_event(user);
  const auto order_event = this->order_created_event(order);
  auto& store = this->store();

  // One at a time, so the outcomes do not depend on commit order.
  Completions<domain::CreateOutcome> creates(4);
  store.port().create_user(user, user_event, std::nullopt, creates.slot(0));
  ASSERT_TRUE(creates.wait_for(1));
  store.port().create_user(dup, this->user_created_event(dup), std::nullopt, creates.slot(1));
  ASSERT_TRUE(creates.wait_for(2));
  store.port().create_order(order, order_event, std::nullopt, creates.slot(2));
  ASSERT_TRUE(creates.wait_for(3));
  store.port().create_order(orphan, this->order_created_event(orphan), std::nullopt, creates.slot(3));
  ASSERT_TRUE(creates.wait_for(4));

  Completions<bool> deletes(3);
  store.port().delete_order(order.id, this->deleted_event(events::kOrderDeleted, order.id), deletes.slot(0));
  ASSERT_TRUE(deletes.wait_for(1));
  store.port().delete_order(order.id, this->deleted_event(events::kOrderDeleted, order.id), deletes.slot(1));
  ASSERT_TRUE(deletes.wait_for(2));
  store.port().delete_user(this->next_id(), this->deleted_event(events::kUserDeleted, "none"), deletes.slot(2));
  ASSERT_TRUE(deletes.wait_for(3));

  const CreateStatus expected_creates[] = {CreateStatus::created, CreateStatus::email_taken, CreateStatus::created,
                                           CreateStatus::user_missing};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(creates.outcome(i).status, expected_creates[i]) << "create " << i;
    EXPECT_FALSE(creates.failed(i)) << "create " << i;
  }
  const bool expected_deletes[] = {true, false, false};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(deletes.outcome(i), expected_deletes[i]) << "delete " << i;
    EXPECT_FALSE(deletes.failed(i)) << "delete " << i;
  }
  // A blocking write afterwards has committed behind all of them: no late second call appears.
  this->add_user();
  EXPECT_EQ(creates.total(), 4U);
  EXPECT_EQ(deletes.total(), 3U);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(creates.calls(i), 1) << "create " << i;
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(deletes.calls(i), 1) << "delete " << i;
  EXPECT_EQ(this->outbox().size(), 4U);  // user, order, order deleted, the last user
}

TYPED_TEST(StoreAsync, ACompletedWriteIsVisibleToReads) {
  const int64_t t = this->now();
  const auto user = this->make_full_user();
  const auto record = this->make_record("scope", "key", user.id, t, t + kHourMs);
  Completions<domain::CreateOutcome> done(1);
  this->store().port().create_user(user, this->user_created_event(user), record, done.slot(0));
  ASSERT_TRUE(done.wait_for(1));
  ASSERT_EQ(done.outcome(0).status, CreateStatus::created);

  const auto found = this->store().find_user(user.id);
  ASSERT_TRUE(found.has_value());
  expect_same_user(user, *found);
  const auto found_record = this->store().find_idempotency("scope", "key", t);
  ASSERT_TRUE(found_record.has_value());
  expect_same_record(record, *found_record);
  EXPECT_EQ(this->outbox().size(), 1U);
}

TYPED_TEST(StoreAsync, ManyWritesInFlightFromOneThreadAllComplete) {
  constexpr size_t kWrites = 300;
  // Every third user shares its email (in another case) with the user before it: exactly one of
  // each such pair may be created, whichever commits first.
  std::vector<domain::User> users;
  std::vector<events::Event> events;
  for (size_t i = 0; i < kWrites; ++i) {
    std::string email = "inflight" + std::to_string(i) + "@example.com";
    if (i % 3 == 2) email = "INFLIGHT" + std::to_string(i - 1) + "@EXAMPLE.COM";
    users.push_back(this->make_user(email));
    events.push_back(this->user_created_event(users.back()));
  }
  Completions<domain::CreateOutcome> done(kWrites);
  for (size_t i = 0; i < kWrites; ++i)
    this->store().port().create_user(users[i], events[i], std::nullopt, done.slot(i));
  // A bound on liveness, not a speed test: moto (the DynamoDB backend's server here) takes ~15 ms
  // per transaction, more as its tables grow (it deep-copies them for each one).
  ASSERT_TRUE(done.wait_for(kWrites, std::chrono::seconds(30)))
      << "only " << done.total() << " of " << kWrites << " completed";

  std::set<std::string> created_events;
  for (size_t i = 0; i < kWrites; ++i) {
    EXPECT_FALSE(done.failed(i)) << i;
    EXPECT_EQ(done.calls(i), 1) << i;
    const bool paired = i % 3 != 0;  // i%3==1 and i%3==2 form a pair
    if (!paired) {
      EXPECT_EQ(done.outcome(i).status, CreateStatus::created) << i;
    }
    if (done.outcome(i).status == CreateStatus::created) {
      created_events.insert(events[i].id);
      EXPECT_TRUE(this->store().find_user(users[i].id).has_value()) << i;
    } else {
      EXPECT_EQ(done.outcome(i).status, CreateStatus::email_taken) << i;
      EXPECT_FALSE(this->store().find_user(users[i].id).has_value()) << i;
    }
  }
  for (size_t i = 1; i + 1 < kWrites; i += 3) {
    EXPECT_NE(done.outcome(i).status == CreateStatus::created, done.outcome(i + 1).status == CreateStatus::created)
        << "pair " << i << " must have exactly one winner";
  }
  EXPECT_EQ(created_events.size(), 200U);
  std::set<std::string> outbox_ids;
  for (const auto& event : this->outbox()) outbox_ids.insert(event.id);
  EXPECT_EQ(outbox_ids, created_events);
}

TYPED_TEST(StoreAsync, CreateWithAnExistingIdNeverOverwrites) {
  const auto user = this->make_full_user();
  const auto event = this->add_user(user);
  auto clash = this->make_user();  // another email, same id
  clash.id = user.id;

  // Blocking form: an error or a rejection, never "created".
  try {
    EXPECT_NE(this->store().create_user(clash, this->user_created_event(clash), nullptr), CreateStatus::created);
  } catch (const std::exception&) {  // an error is an acceptable answer
  }
  // Async form: exactly one completion, carrying an error or a non-created outcome.
  Completions<domain::CreateOutcome> done(1);
  this->store().port().create_user(clash, this->user_created_event(clash), std::nullopt, done.slot(0));
  ASSERT_TRUE(done.wait_for(1));
  EXPECT_TRUE(done.failed(0) || done.outcome(0).status != CreateStatus::created);

  const auto found = this->store().find_user(user.id);
  ASSERT_TRUE(found.has_value());
  expect_same_user(user, *found);
  expect_same_events({event}, this->outbox());
  // The clash's email was not taken by the failed writes.
  const auto other = this->make_user(clash.email);
  EXPECT_EQ(this->store().create_user(other, this->user_created_event(other), nullptr), CreateStatus::created);
  EXPECT_EQ(done.calls(0), 1);
}

}  // namespace
}  // namespace ninja::contract

namespace ninja::contract {
namespace {

template <class Backend>
class StoreKeyInUse : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreKeyInUse, StoreBackends, BackendName);

// The transaction decides on the key and hands back the live record, so a replay needs no read.
TYPED_TEST(StoreKeyInUse, ATakenKeyAnswersWithTheLiveRecordAndWritesNothing) {
  const int64_t t = this->now();
  const auto first = this->make_user("first@example.com");
  const auto record = this->make_record("scope", "key", first.id, t, t + kHourMs);
  ASSERT_EQ(this->store().create_user(first, this->user_created_event(first), &record), CreateStatus::created);

  const auto second = this->make_order(first.id);
  auto retry = this->make_record("scope", "key", second.id, t + 1, t + 1 + kHourMs);
  retry.fingerprint = "another request";
  std::promise<domain::CreateOutcome> answered;
  this->store().port().create_order(second, this->order_created_event(second), retry,
                                    [&answered](domain::CreateOutcome outcome, std::exception_ptr error) {
                                      if (error) {
                                        answered.set_exception(error);
                                      } else {
                                        answered.set_value(std::move(outcome));
                                      }
                                    });
  const auto outcome = answered.get_future().get();
  EXPECT_EQ(outcome.status, CreateStatus::idempotency_taken);
  ASSERT_TRUE(outcome.existing.has_value());
  expect_same_record(record, *outcome.existing);  // the first request's record, not the retry's
  EXPECT_FALSE(this->store().find_order(second.id).has_value());
  EXPECT_EQ(this->outbox().size(), 1U);
}

TYPED_TEST(StoreKeyInUse, AFreeKeyAnswersCreatedWithoutARecord) {
  const int64_t t = this->now();
  const auto user = this->make_user("free@example.com");
  const auto record = this->make_record("scope", "free", user.id, t, t + kHourMs);
  std::promise<domain::CreateOutcome> answered;
  this->store().port().create_user(
      user, this->user_created_event(user), record,
      [&answered](domain::CreateOutcome outcome, std::exception_ptr) { answered.set_value(std::move(outcome)); });
  const auto outcome = answered.get_future().get();
  EXPECT_EQ(outcome.status, CreateStatus::created);
  EXPECT_FALSE(outcome.existing.has_value());
}

}  // namespace
}  // namespace ninja::contract
