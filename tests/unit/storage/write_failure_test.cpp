// How a failed SQLite write is told apart: a full disk (SQLITE_FULL, or an I/O error whose OS cause is
// ENOSPC/EDQUOT) is a passing condition the caller sees as Unavailable (503); a broken disk, a busy
// lock and anything else keep their own error.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cerrno>
#include <stdexcept>

#include "storage/sqlite/database.hpp"
#include "storage/sqlite/write_failure.hpp"
#include "storage/sqlite/write_health.hpp"

namespace ninja::storage::sqlite {
namespace {

std::exception_ptr sqlite_error(int code, int system_errno = 0) {
  return std::make_exception_ptr(SqliteError(code, "sqlite: test", system_errno));
}

TEST(WriteFailure, ClassifiesByResultCodeAndOsCause) {
  EXPECT_EQ(classify_write_failure(sqlite_error(SQLITE_FULL)), WriteFailure::disk_full);
  EXPECT_EQ(classify_write_failure(sqlite_error(SQLITE_IOERR_WRITE, ENOSPC)), WriteFailure::disk_full);
  EXPECT_EQ(classify_write_failure(sqlite_error(SQLITE_IOERR_SHMSIZE, EDQUOT)), WriteFailure::disk_full);
  EXPECT_EQ(classify_write_failure(sqlite_error(SQLITE_IOERR_FSYNC, EIO)), WriteFailure::io);
  EXPECT_EQ(classify_write_failure(sqlite_error(SQLITE_BUSY)), WriteFailure::busy);
  EXPECT_EQ(classify_write_failure(sqlite_error(SQLITE_CONSTRAINT_PRIMARYKEY)), WriteFailure::other);
  EXPECT_EQ(classify_write_failure(std::make_exception_ptr(std::runtime_error("x"))), WriteFailure::other);
}

TEST(WriteFailure, OnlyAFullDiskBecomesUnavailableForTheCaller) {
  const auto full = for_caller(sqlite_error(SQLITE_IOERR_WRITE, ENOSPC));
  EXPECT_THROW(std::rethrow_exception(full), StorageFull);
  EXPECT_THROW(std::rethrow_exception(full), util::Unavailable);
  EXPECT_THROW(std::rethrow_exception(for_caller(sqlite_error(SQLITE_IOERR_FSYNC, EIO))), SqliteError);
  EXPECT_THROW(std::rethrow_exception(for_caller(sqlite_error(SQLITE_CONSTRAINT_UNIQUE))), SqliteError);
  EXPECT_EQ(for_caller(nullptr), nullptr);
}

TEST(WriteHealth, FailingUntilAWriteSucceedsAndOnlyForDiskCauses) {
  util::MetricsRegistry metrics;
  WriteHealth health(&metrics);
  EXPECT_NE(metrics.render().find("store_write_failures_total{cause=\"disk_full\"} 0"), std::string::npos);
  health.failed(WriteFailure::busy);
  health.failed(WriteFailure::other);
  EXPECT_FALSE(health.failing());  // a lock or a bad statement says nothing about the disk
  health.failed(WriteFailure::disk_full);
  EXPECT_TRUE(health.failing());
  health.wrote();
  EXPECT_FALSE(health.failing());
  health.failed(WriteFailure::io);
  EXPECT_TRUE(health.failing());
  EXPECT_EQ(health.failures(WriteFailure::disk_full), 1U);
  EXPECT_NE(metrics.render().find("store_write_failures_total{cause=\"io\"} 1"), std::string::npos);
  EXPECT_NE(metrics.render().find("store_write_failures_total{cause=\"busy\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace ninja::storage::sqlite
