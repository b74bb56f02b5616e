#include "storage/sqlite/read_pool.hpp"

#include <algorithm>

#include "util/thread_name.hpp"

namespace ninja::storage::sqlite {

ReadPool::ReadPool(const std::string& path, size_t threads) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) {
    auto db = std::make_unique<Database>(path);
    db->exec("PRAGMA query_only = ON");
    connections_.push_back(std::move(db));
  }
  for (size_t i = 0; i < connections_.size(); ++i) {
    threads_.emplace_back([this, i] {
      util::name_this_thread("sqlite-read-" + std::to_string(i));
      run(*connections_[i]);
    });
  }
}

ReadPool::~ReadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void ReadPool::submit(std::function<void(Database&)> read) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(read));
  }
  queued_.notify_one();
}

void ReadPool::run(Database& db) {
  for (;;) {
    std::function<void(Database&)> read;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued read has run (each completes once)
      read = std::move(queue_.front());
      queue_.pop_front();
    }
    read(db);
  }
}

}  // namespace ninja::storage::sqlite
