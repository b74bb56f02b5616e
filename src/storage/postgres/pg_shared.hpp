#pragma once
// What the PostgreSQL views of one database (store, outbox, deliveries, API keys) share: the
// connection pool, the store's group commit, and the schema they live in. Plus the two shapes every
// view's calls take: a read (one statement, decoded into the answer) and a group-committed write.
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/postgres/group_commit.hpp"
#include "storage/postgres/pg_pool.hpp"
#include "util/completion.hpp"

namespace ninja::storage::postgres {

// Relays LISTEN here; every write segment NOTIFYs it with its schema as the payload, so stores in
// other schemas of the same database do not wake each other's relays.
inline constexpr const char* kOutboxChannel = "ninja_outbox";

struct PgShared {
  PgShared(PoolOptions options, GroupCommitOptions writes);
  PgShared(const PgShared&) = delete;
  PgShared& operator=(const PgShared&) = delete;
  // Fails queued writes, then closes the pool (which fails what is in flight).
  ~PgShared();

  const PoolOptions options;
  std::unique_ptr<PgPool> pool;
  std::string schema;  // current_schema() of the pool's connections
  // One group commit per loop: a write made on loop i is batched and committed there.
  std::vector<std::shared_ptr<GroupCommit>> writes_by_loop;
  GroupCommit& writes() { return *writes_by_loop[pool->current_loop().value_or(0)]; }
};

// Runs `sql` and answers with decode(result), or the error (also when decode throws).
template <class T, class Decode>
void query(PgPool& pool, Statement sql, Decode decode,  // NOLINT(performance-unnecessary-value-param): moved on
           util::Completion<T> done) {
  pool.execute(std::move(sql),
               [decode = std::move(decode), done = std::move(done)](PgResult result, const std::exception_ptr& error) {
                 if (error) return done(T{}, error);
                 T value{};
                 try {
                   value = decode(result);
                 } catch (...) {
                   return done(T{}, std::current_exception());
                 }
                 done(std::move(value), nullptr);
               });
}

// The same for a segment of statements run as one transaction of its own.
template <class T, class Decode>
void transact(PgPool& pool, std::vector<Statement> segment,  // NOLINT(performance-unnecessary-value-param): moved on
              Decode decode, util::Completion<T> done) {
  pool.execute_segment(std::move(segment), [decode = std::move(decode), done = std::move(done)](
                                               std::vector<PgResult> results, const std::exception_ptr& error) {
    if (error) return done(T{}, error);
    T value{};
    try {
      value = decode(results);
    } catch (...) {
      return done(T{}, std::current_exception());
    }
    done(std::move(value), nullptr);
  });
}

// The same for a write that joins the next group commit.
template <class T, class Decode>
void group_write(GroupCommit& writes,
                 std::vector<Statement> write,  // NOLINT(performance-unnecessary-value-param): moved on
                 Decode decode, util::Completion<T> done) {
  writes.submit(std::move(write), [decode = std::move(decode), done = std::move(done)](
                                      std::vector<PgResult> results, const std::exception_ptr& error) {
    if (error) return done(T{}, error);
    T value{};
    try {
      value = decode(results);
    } catch (...) {
      return done(T{}, std::current_exception());
    }
    done(std::move(value), nullptr);
  });
}

// Completion<bool> → Done.
inline util::Completion<bool> ignore_result(util::Done done) {
  return [done = std::move(done)](bool, std::exception_ptr error) { done(std::move(error)); };
}

}  // namespace ninja::storage::postgres
