// SQLite on a file that cannot grow (PRAGMA max_page_count on the writer: SQLite then answers
// SQLITE_FULL exactly as on a full disk): writes fail as util::Unavailable, never as an internal
// error; the store counts itself failing after a failed write and ready again once a write
// succeeds, its readiness probe's own write included; every failure is counted by cause; what was
// acknowledged stays. The e2e test
// test_full_disk.py does the same on a real full tmpfs, where the WAL's growth fails at COMMIT.
#include <gtest/gtest.h>

#include <vector>

#include "storage/sqlite/sqlite_storage.hpp"
#include "storage/sqlite/write_failure.hpp"
#include "store_contract.hpp"
#include "util/metrics.hpp"

namespace ninja::contract {
namespace {

using storage::sqlite::Database;
using storage::sqlite::WriteFailure;

class SqliteFullDisk : public StoreContract<SqliteBackend> {
 protected:
  void SetUp() override {
    StoreContract<SqliteBackend>::SetUp();
    file_ = std::make_shared<storage::sqlite::SqliteFile>(
        storage::sqlite::SqliteOptions{(backend_->dir.path() / "small.db").string(), 2, 256, &metrics_});
    ports_ = std::make_unique<storage::Storage>(storage::sqlite::sqlite_storage(file_));
    small_.emplace(*ports_->store);
  }
  void TearDown() override {
    small_.reset();
    ports_.reset();
    file_.reset();
  }

  // Caps the file at its current size plus `extra_pages` (a huge number lifts the cap).
  void cap_growth(int64_t extra_pages) {
    util::await_done([&](auto done) {
      file_->submit(
          [extra_pages](Database& db) {
            auto q = db.query("PRAGMA page_count");
            q.step();
            const int64_t limit = q.int64(0) + extra_pages;
            q.run();
            db.exec("PRAGMA max_page_count = " + std::to_string(limit));
          },
          std::move(done));
    });
  }

  bool ready() { return small_->ready(); }
  // The exported series store_write_failures_total{cause="…"}, as a scrape reads it (-1: absent).
  int64_t counted(WriteFailure cause) {
    const std::string text = metrics_.render();
    const std::string series = "store_write_failures_total{cause=\"" + std::string(to_string(cause)) + "\"} ";
    const auto at = text.find(series);
    if (at == std::string::npos) return -1;
    return std::stoll(text.substr(at + series.size()));
  }

  util::MetricsRegistry metrics_;
  std::shared_ptr<storage::sqlite::SqliteFile> file_;
  std::unique_ptr<storage::Storage> ports_;
  std::optional<testing_support::BlockingStore> small_;
};

TEST_F(SqliteFullDisk, WritesFailAsUnavailableUntilThereIsRoomAgain) {
  const auto user = make_user();
  ASSERT_EQ(small_->create_user(user, user_created_event(user), nullptr), CreateStatus::created);
  EXPECT_TRUE(ready());
  EXPECT_EQ(counted(WriteFailure::disk_full), 0);  // exported before the first failure

  cap_growth(0);
  std::vector<domain::Order> acknowledged;
  bool refused = false;
  for (int i = 0; i < 2000 && !refused; ++i) {
    auto order = make_order(user.id);
    try {
      ASSERT_EQ(small_->create_order(order, order_created_event(order), nullptr), CreateStatus::created);
      acknowledged.push_back(order);
    } catch (const storage::sqlite::StorageFull& e) {
      refused = true;  // and a StorageFull is a domain::Unavailable: the API answers 503
      EXPECT_NE(std::string(e.what()).find("full"), std::string::npos) << e.what();
    }
  }
  ASSERT_TRUE(refused) << "2000 orders fitted into a file that cannot grow";
  const auto order = make_order(user.id);
  EXPECT_THROW((void)small_->create_order(order, order_created_event(order), nullptr), domain::Unavailable);
  EXPECT_TRUE(file_->health().failing());
  EXPECT_GE(counted(WriteFailure::disk_full), 2);
  EXPECT_EQ(counted(WriteFailure::io), 0);
  EXPECT_FALSE(small_->find_order(order.id).has_value());

  // While writes fail, readiness is a write of its own: here the probe rewrites its row in place
  // (a capped file refuses new pages, not updates), so it succeeds and the store is ready again
  // without a caller's write. On a real full disk the probe's WAL frame finds no room either and
  // /readyz stays 503: test_full_disk.py shows that.
  const auto batches = file_->writer().batches();
  EXPECT_TRUE(ready());
  EXPECT_EQ(file_->writer().batches(), batches + 1);
  EXPECT_FALSE(file_->health().failing());
  EXPECT_THROW((void)small_->create_order(order, order_created_event(order), nullptr), domain::Unavailable);
  EXPECT_TRUE(file_->health().failing());  // the next failed write takes it out again
  EXPECT_GE(counted(WriteFailure::disk_full), 3);

  cap_growth(1'000'000);
  ASSERT_EQ(small_->create_order(order, order_created_event(order), nullptr), CreateStatus::created);
  acknowledged.push_back(order);
  for (const auto& o : acknowledged) {
    const auto found = small_->find_order(o.id);
    ASSERT_TRUE(found.has_value()) << "acknowledged order " << o.id << " is gone";
    expect_same_order(o, *found);
  }
}

TEST_F(SqliteFullDisk, AReadyStoreDoesNotWriteToSayIt) {
  const auto user = make_user();
  ASSERT_EQ(small_->create_user(user, user_created_event(user), nullptr), CreateStatus::created);
  const auto batches = file_->writer().batches();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(ready());
  EXPECT_EQ(file_->writer().batches(), batches);  // readiness is a read while writes succeed
}

}  // namespace
}  // namespace ninja::contract
