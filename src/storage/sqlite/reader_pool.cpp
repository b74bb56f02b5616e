#include "storage/sqlite/reader_pool.hpp"

namespace ninja::storage::sqlite {

ReaderPool::ReaderPool(const std::string& path, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    auto db = std::make_unique<Database>(path);
    db->exec("PRAGMA query_only = ON");
    idle_.push_back(std::move(db));
  }
}

ReaderPool::Lease::Lease(ReaderPool& owner) : pool(owner) {
  std::unique_lock lock(pool.mutex_);
  pool.available_.wait(lock, [this] { return !pool.idle_.empty(); });
  db = std::move(pool.idle_.back());
  pool.idle_.pop_back();
}

ReaderPool::Lease::~Lease() {
  {
    std::lock_guard lock(pool.mutex_);
    pool.idle_.push_back(std::move(db));
  }
  pool.available_.notify_one();
}

}  // namespace ninja::storage::sqlite
