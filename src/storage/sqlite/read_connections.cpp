#include "storage/sqlite/read_connections.hpp"

#include <algorithm>

namespace ninja::storage::sqlite {

ReadConnections::ReadConnections(std::string path, size_t keep)
    : path_(std::move(path)), keep_(std::max<size_t>(keep, 1)) {
  for (size_t i = 0; i < keep_; ++i) free_.push_back(open());
}

std::unique_ptr<Database> ReadConnections::open() const {
  auto db = std::make_unique<Database>(path_);
  db->exec("PRAGMA query_only = ON");
  return db;
}

std::unique_ptr<Database> ReadConnections::take() {
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      auto db = std::move(free_.back());
      free_.pop_back();
      return db;
    }
  }
  return open();  // every kept one is reading on another thread
}

void ReadConnections::give_back(std::unique_ptr<Database> db) {
  std::lock_guard lock(mutex_);
  if (free_.size() < keep_) free_.push_back(std::move(db));
}

void ReadConnections::run(const std::function<void(Database&)>& read) {
  // Given back however the read ends, also when it throws.
  struct Checkout {
    ReadConnections& owner;
    std::unique_ptr<Database> db;
    ~Checkout() { owner.give_back(std::move(db)); }
  } checkout{*this, take()};
  read(*checkout.db);
}

}  // namespace ninja::storage::sqlite
